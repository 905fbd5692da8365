"""Athena SQL classified by parse: which of Athena's two front ends takes a statement,
and what kind of statement it is.

Athena engine v3 routes each statement by its kind (its DDL reference and its DML
reference): Hive DDL (`CREATE [EXTERNAL] TABLE` without a query, `ALTER`, `DROP TABLE`,
`CREATE / DROP DATABASE`, `SHOW`, `DESCRIBE`, `MSCK REPAIR TABLE`) goes to a Hive front
end that quotes identifiers with backticks; everything else (queries, `INSERT`, `CREATE
TABLE AS`, views, `EXPLAIN`, `PREPARE` / `EXECUTE`, `MERGE` ...) is Trino's SQL, where a
backtick is a syntax error. sqlglot's `athena` dialect makes the same split (its
tokenizer marks a Hive statement), so the twin parses with it:

    statement = parse(sql)
    statement.hive          Athena's Hive front end takes it (backticks allowed)
    statement.tree          sqlglot's parse tree (a `Command` where sqlglot keeps only
                            the statement's first words: SHOW, EXPLAIN, EXECUTE, ...)
    statement.kind          Athena's (StatementType, SubstatementType)
    statement.hive_quoted() the text with Hive's backtick identifiers double-quoted,
                            string literals untouched

Where sqlglot falls short: a statement it cannot parse at all gets `tree = None` and is
classified by its first keywords (sqlglot's tokens); Trino, which is Athena's parser for
that front end, then answers with the syntax error Athena gives.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cached_property

from sqlglot import exp, parse_one
from sqlglot.dialects.athena import Athena
from sqlglot.dialects.hive import Hive
from sqlglot.dialects.trino import Trino
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

_COMMENT = re.compile(r"^\s*(--[^\n]*\n|/\*.*?\*/)", re.S)
# sqlglot logs a warning each time it keeps a statement as a `Command`: that is expected.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

# (StatementType, SubstatementType) by the parse tree's node.
_KINDS: dict[type, tuple[str, str]] = {
    exp.Insert: ("DML", "INSERT"),
    exp.Merge: ("DML", "MERGE"),
    exp.Update: ("DML", "UPDATE"),
    exp.Delete: ("DML", "DELETE"),
    exp.Describe: ("UTILITY", "DESCRIBE"),
    exp.Alter: ("DDL", "ALTER_TABLE"),
}
# A statement sqlglot keeps as a Command, by its first words.
_COMMANDS = {
    "SHOW": ("UTILITY", "SHOW"),
    "EXPLAIN": ("UTILITY", "EXPLAIN"),
    "DESCRIBE": ("UTILITY", "DESCRIBE"),
    "EXECUTE": ("DML", "EXECUTE"),
    "PREPARE": ("UTILITY", "PREPARE"),
    "DEALLOCATE": ("UTILITY", "DEALLOCATE_PREPARE"),
    "MSCK": ("DDL", "MSCK_REPAIR_TABLE"),
    "UNLOAD": ("DML", "UNLOAD"),
    "VACUUM": ("DML", "VACUUM"),
    "OPTIMIZE": ("DML", "OPTIMIZE"),
}


def strip(sql: str) -> str:
    """The statement without dbt's leading query-header comments and a final `;`."""
    body = sql.strip()
    while match := _COMMENT.match(body + "\n"):
        body = body[match.end() :].lstrip()
    return body.rstrip().rstrip(";").rstrip()


@dataclass(frozen=True)
class Statement:
    body: str  # the statement without header comments and a final `;`
    tokens: tuple[Token, ...]  # sqlglot's tokens of the front end that takes it
    hive: bool
    tree: exp.Expression | None

    @property
    def first(self) -> str:
        """The statement's first keyword, upper case ('' for none): its first word when
        sqlglot cannot tokenize it (Trino then judges the statement)."""
        words = self.tokens[0].text.split() if self.tokens else self.body.split(None, 1)
        return words[0].upper() if words else ""

    @cached_property
    def kind(self) -> tuple[str, str]:
        tree = self.tree
        if isinstance(tree, exp.Query | exp.Values):  # SELECT, WITH, VALUES, unions, ( ... )
            return "DML", "SELECT"
        if isinstance(tree, exp.Create):
            what = str(tree.args.get("kind") or "TABLE").upper()
            what = "DATABASE" if what == "SCHEMA" else what
            if what == "TABLE" and isinstance(tree.expression, exp.Query):
                return "DDL", "CREATE_TABLE_AS_SELECT"
            return "DDL", f"CREATE_{what}"
        if isinstance(tree, exp.Drop):
            what = str(tree.args.get("kind") or "TABLE").upper()
            return "DDL", "DROP_" + ("DATABASE" if what == "SCHEMA" else what)
        for node, kind in _KINDS.items():
            if isinstance(tree, node):
                return kind
        if self.first in ("CREATE", "DROP", "ALTER"):  # DDL sqlglot kept as a Command
            words = [t.text.upper() for t in self.tokens[1:6]]
            what = next((w for w in words if w in ("TABLE", "VIEW", "SCHEMA", "DATABASE")), "")
            return "DDL", f"{self.first}_{what or 'UNKNOWN'}"
        return _COMMANDS.get(self.first, ("DML", self.first or "UNKNOWN"))

    def hive_quoted(self) -> str:
        """The text with each backtick-quoted identifier in double quotes (Trino's
        quoting); string literals and everything else as written."""
        out, at = [], 0
        for token in self.tokens:
            if token.token_type == TokenType.IDENTIFIER and self.body[token.start] == "`":
                out.append(self.body[at : token.start])
                out.append('"' + token.text.replace('"', '""') + '"')
                at = token.end + 1
        out.append(self.body[at:])
        return "".join(out)

    def text_after(self, token_index: int) -> str:
        """The statement's own text after one of its tokens (a CTAS's query as written)."""
        return self.body[self.tokens[token_index].end + 1 :].strip()

    def with_double_literals(self, after: int = -1) -> str:
        """The text after token `after` (all of it for -1), each decimal literal written
        as a DOUBLE one (`0.5` -> `0.5E0`): Athena reads `0.5` as DOUBLE, open-source
        Trino as DECIMAL(1,1) (Athena's data type notes ask for `DECIMAL '0.5'` to get
        a decimal; dbt-athena's test__convert_numbers expects `1 / 0.0` = Infinity)."""
        at = self.tokens[after].end + 1 if after >= 0 else 0
        out = []
        for token in self.tokens[after + 1 :]:
            text = token.text.lower()
            if token.token_type == TokenType.NUMBER and "." in text and "e" not in text:
                out.append(self.body[at : token.end + 1] + "E0")
                at = token.end + 1
        out.append(self.body[at:])
        return "".join(out).strip()


def parse(sql: str) -> Statement:
    """`sql` as Athena's router sees it (see the module's docstring)."""
    body = strip(sql)
    try:
        tokens = Athena().tokenizer().tokenize(body)
    except TokenError:
        tokens = []
    hive = bool(tokens) and tokens[0].token_type == TokenType.HIVE_TOKEN_STREAM
    if hive:
        tokens = tokens[1:]
    tokens = _command_tokens(body, tokens, hive)
    try:
        tree = parse_one(body, read="athena") if body else None
    except (ParseError, TokenError):
        tree = None
    if isinstance(tree, exp.Block):  # more than one statement: none of them is parsed
        tree = None
    return Statement(body, tuple(tokens), hive, tree)


def _command_tokens(body: str, tokens: list[Token], hive: bool) -> list[Token]:
    """sqlglot keeps what follows a command's keyword (SHOW, EXECUTE, MSCK REPAIR ...)
    as one string token: tokenize it too, with offsets into the whole statement."""
    command = (TokenType.COMMAND, TokenType.SHOW, TokenType.EXECUTE)
    if len(tokens) != 2 or tokens[0].token_type not in command:
        return tokens
    at = tokens[0].end + 1
    dialect = Hive() if hive else Trino()
    try:
        rest = dialect.tokenizer().tokenize(body[at:])
    except TokenError:
        return tokens
    shifted = [
        Token(t.token_type, t.text, t.line, t.col, t.start + at, t.end + at, t.comments)
        for t in rest
    ]
    return [tokens[0], *shifted]


def top_level_as(statement: Statement) -> int | None:
    """The index of a CTAS's `AS` token: the first one outside parentheses after the
    table's name and properties."""
    depth = 0
    for i, token in enumerate(statement.tokens):
        if token.token_type in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif token.token_type in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
        elif depth == 0 and token.token_type == TokenType.ALIAS:
            return i
    return None
