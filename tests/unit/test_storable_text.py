"""The event store's transcoder refuses exactly what PostgreSQL cannot store: any text holding a
NUL or a lone surrogate, at any depth, and nothing else (a backslash and `u0000` is just text)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from infrastructure.eventstore.storable import StorableJSONTranscoder, unstorable_chars

TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=20) | st.sampled_from(
    ["\\u0000", "\\\\u0000", "\\\u0000", "\ud800", "a\udfffb", "\x00"])


@given(text=TEXT, key=TEXT)
def test_a_value_is_refused_exactly_when_it_holds_a_nul_or_a_lone_surrogate(text, key):
    transcoder = StorableJSONTranscoder()
    event = {"outer": [{key: text}]}
    bad = any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in text + key)
    assert unstorable_chars(text + key) == bad
    if bad:
        with pytest.raises(InvalidValue) as refused:
            transcoder.encode(event)
        assert refused.value.field.startswith("outer.0")
    else:
        assert transcoder.decode(transcoder.encode(event)) == event
        assert json.loads(transcoder.encode(event)) == event
