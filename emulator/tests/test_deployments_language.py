"""The template expression language: what is an expression, the parse tree, property access,
indexes, escaping, and ARM's messages for what does not parse or evaluate."""

from __future__ import annotations

import pytest

from azemu.deployments.errors import ExpressionError
from azemu.deployments.language import Call, Index, Literal, Member, is_expression, parse
from deployment_helpers import context_for, ev, local_emulator


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    emu = local_emulator(tmp_path_factory.mktemp("language"))
    return context_for(emu, {"resources": [], "parameters": {
        "obj": {"type": "object", "defaultValue": {"Name": "n", "list": [10, 20, {"deep": "x"}], "my-key": 1}},
        "idx": {"type": "int", "defaultValue": 1}},
        "variables": {"greeting": "hi", "nested": "[concat(variables('greeting'), '!')]"}})


@pytest.mark.parametrize("text, expression", [
    ("[concat('a')]", True), ("plain", False), ("[[literal]", False), ("[", False), ("]", False),
    ("[x", False), ("x]", False), ("", False), (" [concat('a')]", False)])
def test_what_is_an_expression(text, expression):
    assert is_expression(text) is expression


@pytest.mark.parametrize("text, tree", [
    ("[f()]", Call("f", ())),
    ("['it''s']", Literal("it's")),
    ("[-12]", Literal(-12)),
    ("[f('a', 1, g())]", Call("f", (Literal("a"), Literal(1), Call("g", ())))),
    ("[f().a.b]", Member(Member(Call("f", ()), "a"), "b")),
    ("[f()[0]]", Index(Call("f", ()), Literal(0))),
    ("[f()['k'].v[g()]]", Index(Member(Index(Call("f", ()), Literal("k")), "v"), Call("g", ()))),
    ("[  f (  'a' ,1 )  ]", Call("f", (Literal("a"), Literal(1)))),
])
def test_parse_trees(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize("value, expected", [
    ("plain text", "plain text"),
    ("[[not an expression]", "[not an expression]"),
    ("[[also]]", "[also]]"),
    ("[['quoted']", "['quoted']"),
    ("[concat('[', 'x', ']')]", "[x]"),
    ("['with ''quotes''']", "with 'quotes'"),
    ("[parameters('obj').Name]", "n"),
    ("[parameters('obj').name]", "n"),                     # property names without case, as ARM
    ("[parameters('OBJ').list[1]]", 20),
    ("[parameters('obj').list[parameters('idx')]]", 20),
    ("[parameters('obj').list[2].deep]", "x"),
    ("[parameters('obj')['my-key']]", 1),
    ("[variables('nested')]", "hi!"),
    ("[CONCAT('a', 'b')]", "ab"),                          # function names without case
    ({"k": "[concat('a', 'b')]", "list": ["[add(1, 2)]", 4]}, {"k": "ab", "list": [3, 4]}),
    (7, 7), (None, None), (True, True),
])
def test_values(ctx, value, expected):
    assert ev(ctx, value) == expected


def test_property_copy_makes_arrays(ctx):
    body = {"copy": [{"name": "disks", "count": 3, "input": {"lun": "[copyIndex('disks')]",
                                                             "name": "[concat('d', copyIndex('disks', 1))]"}}],
            "other": "[variables('greeting')]"}
    assert ev(ctx, body) == {"disks": [{"lun": 0, "name": "d1"}, {"lun": 1, "name": "d2"}, {"lun": 2, "name": "d3"}],
                             "other": "hi"}


@pytest.mark.parametrize("text, message", [
    ("[concat('a']", "Unable to parse language expression 'concat('a'': expected token 'RightParenthesis' and "
                    "actual 'EndOfData'."),
    ("[concat]", "expected token 'LeftParenthesis' and actual 'EndOfData'"),
    ("[concat('a' 'b')]", "expected token 'RightParenthesis' and actual 'String'"),
    ("[f().]", "expected token 'Identifier' and actual 'EndOfData'"),
    ("[f() g()]", "expected token 'EndOfData' and actual 'Identifier'"),
    ("[concat('a)]", "the string character ''' at position '7' is not expected"),
    ("[]", "the expression is empty"),
    ("[nope('x')]", "The template function 'nope' is not valid. Please see https://aka.ms/arm-functions"),
    ("[parameters('obj').missing]", "The language expression property 'missing' doesn't exist, available properties "
                                    "are 'Name, list, my-key'."),
    ("[parameters('obj').list[5]]", "The language expression property array index '5' is out of bounds."),
    ("[parameters('obj').Name.x]", "The language expression property 'x' can't be evaluated."),
    ("[parameters('nope')]", "The template parameter 'nope' is not found."),
    ("[variables('nope')]", "The template variable 'nope' is not found."),
    ("[copyIndex()]", "The template function 'copyIndex' is not expected at this location."),
    ("[concat()]", "function requires at least 1 argument(s) while 0 were provided"),
    ("[toLower(1)]", "The template language function 'toLower' expects its parameter to be of type 'String'. The "
                     "provided value is of type 'Integer'."),
])
def test_errors(ctx, text, message):
    with pytest.raises(ExpressionError) as err:
        ev(ctx, text)
    assert message.replace('"', "'") in str(err.value).replace('"', "'")


@pytest.mark.parametrize("text, section", [
    ("[reference('x')]", "variables"), ("[reference('x')]", "resource"), ("[utcNow()]", "properties"),
    ("[newGuid()]", "outputs")])
def test_functions_only_allowed_in_some_sections(ctx, text, section):
    with pytest.raises(ExpressionError, match="is not expected at this location"):
        ev(ctx, text, section=section)
