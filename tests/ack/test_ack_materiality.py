"""Who must (re)acknowledge: from the diff's roles affected, on real editions from git tags."""

from __future__ import annotations

from reglament.ack.materiality import requirements


def test_first_edition_asks_the_whole_audience_for_the_whole_text(snapshots):
    snap = snapshots["2025.1"]
    (reg,) = snap.regulations
    assert snap.changes is None
    reqs = requirements(snap.changes, reg.id, reg.audience, "affected")
    assert set(reqs) == {"manager", "head"} and all(r.whole for r in reqs.values())
    ids = [i["id"] for i in reg.items]
    assert ids == ["general", "purpose", "scope", "duties", "call-lead", "review-calls"]


def test_a_change_to_one_roles_duty_asks_only_that_role_for_only_that_clause(snapshots):
    snap = snapshots["2025.2"]
    (reg,) = snap.regulations
    reqs = requirements(snap.changes, reg.id, reg.audience, "affected")
    assert list(reqs) == ["head"]
    assert not reqs["head"].whole
    assert [c["id"] for c in reqs["head"].changes] == ["review-calls"]
    text = reqs["head"].changes[0]["fields"][0]["redline"]
    assert ["+", "Ежедневно"] in text or any(op == "+" and "Ежедневно" in s for op, s in text)


def test_reordering_and_reflowing_ask_nobody(snapshots):
    snap = snapshots["2025.3"]
    (reg,) = snap.regulations
    assert snap.changes is not None and not snap.changes["impact"]
    assert requirements(snap.changes, reg.id, reg.audience, "affected") == {}


def test_modes_all_and_none(snapshots):
    snap = snapshots["2025.2"]
    (reg,) = snap.regulations
    everyone = requirements(snap.changes, reg.id, reg.audience, "all")
    assert set(everyone) == {"manager", "head"} and all(r.whole for r in everyone.values())
    assert requirements(snap.changes, reg.id, reg.audience, "none") == {}


def test_content_hash_is_stable_and_tracks_the_text(snapshots, ack_project):
    from reglament.ack import sources

    first = sources.snapshot(ack_project, sources.editions(ack_project)[0], sources.BASE)
    assert first.regulations[0].content_hash == snapshots["2025.1"].regulations[0].content_hash
    assert snapshots["2025.1"].regulations[0].content_hash != snapshots["2025.2"].regulations[0].content_hash
