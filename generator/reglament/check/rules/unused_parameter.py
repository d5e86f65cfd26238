"""unused-parameter: a profile (or `content/defaults.yml`) defines a parameter
that no text of the base regulation and no override uses — usually a typo in
the parameter's name or a leftover. Reported at the parameter's key."""

from reglament.diagnostics import Diagnostic, Severity

ID = "unused-parameter"
SEVERITY: Severity = "warning"


def check_whole(whole):
    if whole.params is None:  # no variant checked, or its values come from no file
        return
    for name, file, line, column in whole.params:
        # a parameter used only in a text that failed to load is not unused: the text's error says why
        if name not in whole.used_params and name not in whole.broken_params:
            yield Diagnostic(
                file,
                line,
                column,
                SEVERITY,
                ID,
                f"parameter `{name}` is defined and never used",
                f"use it in a text as `{{{{ params.{name} }}}}`, or delete it",
            )
