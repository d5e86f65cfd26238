"""term-cycle: term definitions that reference each other in a circle
(«лид — это заявка…», «заявка — это лид…») define nothing. Each cycle is
reported once, at the term where it is first found."""

from reglament.diagnostics import Diagnostic, Severity
from reglament.model.references import find_refs

ID = "term-cycle"
SEVERITY: Severity = "error"


def check(ctx):
    terms = {item.id: item for item in ctx.items("term")}
    graph = {
        tid: [r.target for r in find_refs(item.node.definition) if r.target in terms and r.target != tid]
        for tid, item in terms.items()
    }
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    cycles: list[list[str]] = []

    def visit(tid: str, stack: list[str]) -> None:
        state[tid] = 1
        stack.append(tid)
        for nxt in graph[tid]:
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[tid] = 2

    for tid in terms:
        if tid not in state:
            visit(tid, [])
    for cycle in cycles:
        start = terms[cycle[0]]
        path = " → ".join(cycle)
        yield Diagnostic.at(
            start.node.at("definition"),
            SEVERITY,
            ID,
            f"term definitions form a cycle: {path}",
            "define one of these terms without referring back to the others",
        )
