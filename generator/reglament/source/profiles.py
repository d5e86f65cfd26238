"""Load the company profiles (``content/companies/*.yml``) and the base defaults (``content/defaults.yml``)."""

from __future__ import annotations

from pathlib import Path

from reglament.diagnostics import Diagnostic
from reglament.model import nodes as m
from reglament.model.profile import COMPANIES_DIR, DEFAULTS_FILE, Defaults, Profile, Profiles
from reglament.source.loader import Loader, SourceReader, attach_origins


def _attach_dict_origins(obj: m.Node, field_name: str) -> None:
    """Origins for model values held in a dict field (``attach_origins`` walks lists only)."""
    values = getattr(obj, field_name)
    for key, value in values.items():
        if isinstance(value, m.Node):
            attach_origins(value, obj.origin.doc, obj.origin.path + (field_name, key))


def load_defaults(loader: Loader) -> Defaults | None:
    """``content/defaults.yml`` (optional; its problems go to ``loader.diagnostics``)."""
    if not loader.reader.exists(DEFAULTS_FILE):
        return None
    defaults = loader.model(Defaults, DEFAULTS_FILE)
    if defaults is not None:
        _attach_dict_origins(defaults, "params")
    return defaults


def load_profiles(root: Path, *, files: dict[str, bytes] | None = None) -> Profiles:
    """Load ``content/companies/*.yml`` and ``content/defaults.yml`` (both optional)."""
    reader = SourceReader(root, files)
    loader = Loader(reader)
    result = Profiles()
    result.defaults = load_defaults(loader)
    for rel in reader.list(COMPANIES_DIR):
        name = rel[len(COMPANIES_DIR) + 1 :]
        if "/" in name or not name.endswith((".yml", ".yaml")):
            if name.endswith((".yml", ".yaml", ".md")):
                loader.diagnostics.append(
                    Diagnostic(
                        rel,
                        1,
                        1,
                        "warning",
                        "unlisted-part",
                        f"`{rel}` is not a company profile and is ignored",
                        f"keep profiles directly in `{COMPANIES_DIR}/`",
                    )
                )
            continue
        profile = loader.model(Profile, rel)
        if profile is None:
            continue
        stem = name.rsplit(".", 1)[0]
        if profile.id != stem:
            loader.diagnostics.append(
                Diagnostic.at(
                    profile.at("id"),
                    "error",
                    "profile-id",
                    f"profile id `{profile.id}` does not match its file name `{name}`",
                    f"rename the file to `{profile.id}.yml` or set `id: {stem}`",
                )
            )
            continue
        _attach_dict_origins(profile, "params")
        _attach_dict_origins(profile, "roles")
        if profile.publish is not None and profile.visibility == "public":
            loader.diagnostics.append(
                Diagnostic.at(
                    profile.at("publish"),
                    "warning",
                    "publish-target",
                    f"company `{profile.id}` is public: its site goes to the Pages branch, and `publish` is not used",
                    "`publish` names where an internal site goes; remove it, or make the company "
                    "`visibility: internal`",
                )
            )
        result.companies.append(profile)
    result.diagnostics = loader.diagnostics
    return result
