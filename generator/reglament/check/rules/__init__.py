"""The rule registry: one module per rule, each with ``ID``, ``SEVERITY``, a
docstring that documents it, and ``check(ctx)`` yielding diagnostics.

To add a rule: write a module here and list it in :data:`RULES`.
"""

from reglament.check.rules import (
    bonus_tiers,
    broken_reference,
    category_without_rule,
    clause_depth,
    duplicate_id,
    duty_without_role,
    edition_date,
    edition_id,
    edition_order,
    employee_role,
    excluded_reference,
    internal_reference,
    kpi_measures_nothing,
    kpi_weights,
    missing_parameter,
    raci_accountable,
    responsibility_without_duty,
    review_due,
    schedule_overlap,
    term_cycle,
    unknown_override,
    unknown_reference,
    unknown_selection,
    unlinked_term,
    unused_parameter,
    unused_term,
)

RULES = (
    duplicate_id,
    unknown_reference,
    broken_reference,
    unused_term,
    unlinked_term,
    term_cycle,
    duty_without_role,
    raci_accountable,
    responsibility_without_duty,
    kpi_weights,
    kpi_measures_nothing,
    bonus_tiers,
    schedule_overlap,
    category_without_rule,
    clause_depth,
    edition_id,
    edition_date,
    edition_order,
    review_due,
    # per company (active when a resolved variant is checked)
    missing_parameter,
    unused_parameter,
    unknown_override,
    unknown_selection,
    excluded_reference,
    internal_reference,
    employee_role,
)

BY_ID = {rule.ID: rule for rule in RULES}
