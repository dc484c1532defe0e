"""The type stubs (osteon/__init__.pyi, osteon/ct.pyi) name what the modules have, and every
public class, function and method of the modules has a docstring."""

import ast
import types
from pathlib import Path

import pytest

import osteon

PACKAGE = Path(__file__).resolve().parents[1] / "osteon"
STUBS = [(PACKAGE / "__init__.pyi", osteon), (PACKAGE / "ct.pyi", osteon.ct)]


def stub_tree(stub):
    return ast.parse(stub.read_text())


@pytest.mark.parametrize("stub, module", STUBS, ids=["osteon", "osteon.ct"])
def test_every_stubbed_name_exists(stub, module):
    for node in stub_tree(stub).body:
        if isinstance(node, ast.ClassDef):
            cls = getattr(module, node.name)
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("__"):
                    assert hasattr(cls, item.name), f"{node.name}.{item.name}"
        elif isinstance(node, ast.FunctionDef):
            assert callable(getattr(module, node.name)), node.name


@pytest.mark.parametrize("stub, module", STUBS, ids=["osteon", "osteon.ct"])
def test_every_public_name_is_stubbed_and_documented(stub, module):
    tree = stub_tree(stub)
    stubbed = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    # submodules re-exported by the stub (`from . import ct as ct`)
    stubbed |= {
        a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names
    }
    for name in module.__all__:
        if name.startswith("__"):
            continue
        assert name in stubbed, name
        obj = getattr(module, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
        if isinstance(obj, types.ModuleType):
            continue
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            for attr, value in vars(obj).items():
                # dataclass fields are documented in the class docstring
                fields = getattr(obj, "__dataclass_fields__", {})
                if attr.startswith("_") or attr in fields:
                    continue
                assert getattr(value, "__doc__", None), f"{name}.{attr}"
