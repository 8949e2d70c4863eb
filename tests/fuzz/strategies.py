"""Hypothesis settings and input strategies shared by the fuzz tests.

The examples are what a careless, curious or hostile visitor could send:
control characters, very long text, search syntax, SQL, JSON of any shape.
"""

import json
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def fuzz_settings(max_examples):
    """Settings for a fuzz test: no deadline (a page render is not a unit), no
    example database written into the checkout, and the same examples on every
    CI run so that a red build is reproducible.

    FUZZ_SCALE=10 runs ten times the examples, for a longer hunt than the
    suite's minute.
    """
    return settings(
        max_examples=max_examples * int(os.environ.get("FUZZ_SCALE", "1")),
        deadline=None,
        database=None,
        derandomize=bool(os.environ.get("CI")),
        print_blob=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# Text a browser can send: everything but lone surrogates, which no client can
# encode (a real request's invalid UTF-8 arrives as U+FFFD, see raw_query_strings).
characters = st.characters(exclude_categories=("Cs",))
text = st.text(characters, max_size=40)

# Pieces that mean something to a search engine, a database or a template.
SYNTAX = [
    '"',
    '""',
    "*",
    "NEAR(",
    "NEAR(a b, 2)",
    " OR ",
    " AND ",
    " NOT ",
    "-",
    "^",
    ":",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "'",
    "\\",
    "%",
    "_",
    "\x00",
    "\x1b",
    "\u200b",
    "\ufeff",
    "\r\n",
    "\t",
    "'; DROP TABLE wagtailcore_page; --",
    "' OR '1'='1",
    "1 UNION SELECT 1",
    "{{ request }}",
    "{% debug %}",
    "<script>alert(1)</script>",
    "子育て",
    "ｶﾌｪ",
    "防",
    "NPO",
    "\U0001f600",
]
syntax = st.sampled_from(SYNTAX)

# A pasted paragraph: hundreds of distinct words.
many_words = st.lists(
    st.from_regex(r"[a-zα-ω]{1,2}[0-9]{1,3}", fullmatch=True),
    min_size=30,
    max_size=400,
    unique=True,
).map(" ".join)

# Every character SQLite FTS5 or PostgreSQL's to_tsquery reads as syntax,
# among Japanese words, kana and kanji and the operators' own names.
SEARCH_OPERATORS = "\"'()*:^-+~!&|<>{}[]\\"
search_operator_text = st.lists(
    st.one_of(
        st.sampled_from(SEARCH_OPERATORS),
        st.sampled_from(["子育て", "ｶﾌｪ", "緑町", "防", "ぼうさい", "NEAR", "AND", "NOT", " "]),
        st.characters(min_codepoint=0x3041, max_codepoint=0x30FA),  # hiragana, katakana
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # kanji
    ),
    min_size=1,
    max_size=16,
).map("".join)

search_text = st.one_of(
    text,
    many_words,
    st.lists(st.one_of(syntax, text), max_size=8).map("".join),
    # Very long: pasted paragraphs, or a script hammering the form.
    st.builds(lambda piece, times: piece * times, st.one_of(syntax, text), st.integers(50, 2000)),
)

# JSON can escape a lone surrogate ("\\ud800"), which Python reads into a str
# that cannot be encoded as UTF-8 again.
lone_surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2)

# Any str a JSON document can hold.
any_string = st.one_of(
    text,
    syntax,
    st.tuples(st.text(max_size=5), lone_surrogates).map("".join),
    st.integers(300, 5000).map(lambda size: "あ" * size),
)

# JSON values of any shape (NaN and the infinities too: Python's json reads them).
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    any_string,
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=15,
)


def raw_bytes_like_json():
    """Bytes that are almost, or not at all, JSON."""
    return st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda value: json.dumps(value).encode()),
        json_values.map(
            lambda value: json.dumps(value, ensure_ascii=False).encode("utf-8", "replace")
        ),
        # Deep nesting and numbers too long for Python's int parsing.
        st.integers(1, 8000).map(lambda depth: b"[" * depth + b"]" * depth),
        st.integers(1, 8000).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
        st.integers(4000, 6000).map(lambda digits: b"1" * digits),
        st.sampled_from([b"", b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b"NaN", b"-Infinity"]),
    )


def raw_query_strings(names):
    """A QUERY_STRING as a WSGI server passes it: any bytes (as latin-1), with
    the given parameter names likely, percent-escapes valid or not."""
    from urllib.parse import quote_from_bytes

    name = st.one_of(st.sampled_from(names), st.text(max_size=8))
    value = st.one_of(st.binary(max_size=40).map(quote_from_bytes), st.binary(max_size=40))
    pair = st.tuples(name, value).map(
        lambda pair: (
            pair[0].encode("utf-8", "replace")
            + b"="
            + (pair[1] if isinstance(pair[1], bytes) else pair[1].encode())
        )
    )
    return st.lists(pair, max_size=8).map(lambda pairs: b"&".join(pairs).decode("latin-1"))
