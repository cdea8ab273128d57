"""How the remote backend reads a server's answer into the interchange form
(kg/store/remote.py `read_outcome`), on exact bytes as a server may send them:
line ends, a last line without its end, the row cap at its edge. The same code
against a real Oxigraph server: tests/test_sparql_client.py."""
from __future__ import annotations

import pytest

from kg.store.base import Outcome
from kg.store.remote import read_outcome


class Answer:
    """A response body that arrives in the given blocks (the reader's side of an Exchange)."""

    def __init__(self, *blocks: bytes):
        self._blocks, self.closed = blocks, False

    def blocks(self):
        yield from self._blocks

    def read_all(self) -> bytes:
        return b"".join(self._blocks)

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("blocks, max_rows, expected", [
    ((b"?s\n<urn:a>\n<urn:b>\n",), None, Outcome("solutions", b"?s\n<urn:a>\n<urn:b>\n", False)),
    # the last line's end never came: it is given one
    ((b"?s\n<urn:a>\n<urn:b>",), None, Outcome("solutions", b"?s\n<urn:a>\n<urn:b>\n", False)),
    ((b"?s\n<urn:a>\n<urn:b>",), 5, Outcome("solutions", b"?s\n<urn:a>\n<urn:b>\n", False)),
    # CRLF line ends (a server may send them) become LF, whatever a term ends with
    ((b"?s\r\n<urn:a>\r\n_:bX\r\n",), None, Outcome("solutions", b"?s\n<urn:a>\n_:bX\n", False)),
    ((b"?s\r\n_:X\r\n",), 5, Outcome("solutions", b"?s\n_:X\n", False)),
    # exactly the cap's lines, each ended: whole, not truncated
    ((b"?s\n<urn:a>\n<urn:b>\n",), 2, Outcome("solutions", b"?s\n<urn:a>\n<urn:b>\n", False)),
    # the cap's lines ended and one more begun: cut at the cap, truncated
    ((b"?s\n<urn:a>\n<urn:b>\n<urn:c>",), 2, Outcome("solutions", b"?s\n<urn:a>\n<urn:b>\n", True)),
    ((b"?s\n<urn:a>\n", b"<urn:b>\n<urn:c>\n"), 1, Outcome("solutions", b"?s\n<urn:a>\n", True)),
])
def test_a_select_answer_is_read_into_tsv_lines(blocks, max_rows, expected):
    answer = Answer(*blocks)
    assert read_outcome("SELECT", answer, max_rows) == expected
    assert answer.closed


@pytest.mark.parametrize("blocks, max_rows, expected", [
    ((b"<urn:a> <urn:p> <urn:b> .\r\n\r\n<urn:c> <urn:p> _:X .\r\n",), None,
     Outcome("triples", b"<urn:a> <urn:p> <urn:b> .\n<urn:c> <urn:p> _:X .\n", False)),
    ((b"<urn:a> <urn:p> <urn:b> .\n<urn:c> <urn:p> <urn:d> .\n",), 1,
     Outcome("triples", b"<urn:a> <urn:p> <urn:b> .\n", True)),
])
def test_a_graph_answer_is_read_into_ntriples_lines(blocks, max_rows, expected):
    assert read_outcome("CONSTRUCT", Answer(*blocks), max_rows) == expected


@pytest.mark.parametrize("body, expected", [(b'{"head":{},"boolean":true}', b"true"),
                                            (b'{"head":{},"boolean":false}', b"false")])
def test_an_ask_answer_is_its_boolean(body, expected):
    assert read_outcome("ASK", Answer(body), None) == Outcome("boolean", expected, False)
