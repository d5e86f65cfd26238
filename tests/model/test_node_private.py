"""The nodes' private slot (origin, parts, body) is filled as pydantic fills it, by a faster stand-in."""

import pickle

from pydantic import PrivateAttr

from reglament.model import editions, profile
from reglament.model import nodes as m


def _regulation(ident: str) -> m.Regulation:
    return m.Regulation.model_validate(
        {"id": ident, "title": "Т", "owner": "r", "approver": "r", "audience": ["r"], "parts": ["a.yml"]}
    )


def test_private_defaults_as_pydantic_gives_them_and_a_fresh_list_per_node():
    first, second = _regulation("a"), _regulation("b")
    assert first.__pydantic_private__ == {"_origin": None, "_parts": []}
    first._parts.append("x")
    assert second._parts == []  # a default factory runs per node
    page = m.Page.model_validate({"id": "p", "title": "Т"})  # a subclass of a subclass of Node
    assert page.__pydantic_private__ == {"_origin": None, "_body": "", "_body_line": 1, "_line_map": None}
    assert m.Regulation.model_construct().__pydantic_private__ == {"_origin": None, "_parts": []}
    copy = pickle.loads(pickle.dumps(first))
    assert copy._parts == ["x"] and copy.__pydantic_private__ == first.__pydantic_private__
    assert first.model_copy()._parts == ["x"]


def test_every_node_class_gets_the_stand_in():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    classes = list(subclasses(m.Node))
    assert editions.Edition in classes and profile.Profile in classes
    assert len(classes) > 30
    assert all(getattr(cls.model_post_init, "_fills_private_only", False) for cls in classes)


def test_a_node_class_with_its_own_post_init_or_a_mutable_default_keeps_pydantics():
    class Counted(m.Node):
        id: str
        _seen: int = PrivateAttr(default=0)

        def model_post_init(self, context: object, /) -> None:
            self._seen = 1

    class Tagged(m.Node):
        id: str
        _tags: list = PrivateAttr(default=[])  # pydantic copies a mutable default per node

    assert Counted.model_validate({"id": "a"})._seen == 1
    one, two = Tagged.model_validate({"id": "a"}), Tagged.model_validate({"id": "b"})
    one._tags.append("x")
    assert two._tags == []
    assert not getattr(Counted.model_post_init, "_fills_private_only", False)
    assert not getattr(Tagged.model_post_init, "_fills_private_only", False)
