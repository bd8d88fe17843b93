"""Read a Pol.is open-data export (comments.csv, votes.csv) into vote triples.

Pure csv, no Django, so the import service, the tests and the benchmarks share it. The
whole file is checked before anything is returned: every malformed row is reported with
its line and column, the first one raised as `PolisFormatError` carrying all of them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

COMMENT_COLUMNS = ("comment-id", "moderated")
VOTE_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
GROUP_COLUMNS = ("participant", "group-id")
MAX_REPORTED = 100  # enough to fix a file; a million bad rows need not all be listed


class PolisFormatError(ValueError):
    """A malformed row in a Pol.is export.

    `line` is the 1-based physical line where the record starts (the header is line 1),
    `column` the 1-based field position. `errors` lists every problem found in the file
    (capped at MAX_REPORTED), this one first.
    """

    def __init__(
        self,
        line: int,
        column: int,
        message: str,
        *,
        file: str = "",
        code: str = "",
        params: dict[str, object] | None = None,
    ) -> None:
        self.line = line
        self.column = column
        self.message = message
        self.file = file
        # A stable name for the problem and its values, so that a caller can say it in
        # the reader's language (the message itself is English).
        self.code = code
        self.params = dict(params or {})
        self.errors: tuple[PolisFormatError, ...] = (self,)
        where = f"{file}, " if file else ""
        super().__init__(f"{where}line {line}, column {column}: {message}")


@dataclass(frozen=True, eq=False)
class PolisConversation:
    """Votes of one export as index triples in time order, with the ids they stand for.

    `participant_ids[i]` is the voter-id of participant index i (ids sorted), likewise
    `statement_ids` for comment-ids from comments.csv. `moderated_out` flags statements
    rejected by moderators (moderated = -1).
    """

    participant_ids: tuple[int, ...]
    statement_ids: tuple[int, ...]
    participants: NDArray[np.int32]
    statements: NDArray[np.int32]
    votes: NDArray[np.int8]
    timestamps: NDArray[np.int64]
    moderated_out: NDArray[np.bool_]


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[PolisFormatError] = []

    def add(
        self, line: int, column: int, message: str, code: str = "", **params: object
    ) -> None:
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(
                PolisFormatError(line, column, message, file=self.file, code=code, params=params)
            )

    def raise_if_any(self) -> None:
        if self.errors:
            first = self.errors[0]
            first.errors = tuple(self.errors)
            raise first


def _records(
    path: Path, required: tuple[str, ...], errors: _Collector
) -> Iterator[tuple[int, dict[str, tuple[int, str]]]]:
    """Yield (start line, {column name: (1-based position, text)}) for each data row."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            errors.add(1, 1, "empty file, expected a header row", "empty_file")
            return
        except csv.Error as exc:
            errors.add(1, 1, f"unreadable CSV: {exc}", "unreadable", detail=str(exc))
            return
        positions = {name.strip(): i for i, name in enumerate(header)}
        missing = [name for name in required if name not in positions]
        for name in missing:
            errors.add(1, len(header) + 1, f"missing column {name!r}", "missing_column", name=name)
        if missing:
            return
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                errors.add(line, 1, f"unreadable CSV: {exc}", "unreadable", detail=str(exc))
                return
            start, line = line, reader.line_num + 1
            if not row or all(not cell.strip() for cell in row):
                continue
            fields: dict[str, tuple[int, str]] = {}
            for name in required:
                pos = positions[name]
                if pos >= len(row):
                    errors.add(
                        start,
                        pos + 1,
                        f"row has {len(row)} fields, {name!r} is missing",
                        "short_row",
                        fields=len(row),
                        name=name,
                    )
                    break
                fields[name] = (pos + 1, row[pos].strip())
            else:
                yield start, fields


def _int(
    fields: dict[str, tuple[int, str]],
    name: str,
    line: int,
    errors: _Collector,
    *,
    blank_ok: bool = False,
) -> int | None:
    column, text = fields[name]
    if text == "" and blank_ok:
        return None
    try:
        return int(text)
    except ValueError:
        errors.add(
            line, column, f"{name!r} must be an integer, got {text!r}", "not_integer", name=name, value=text
        )
        return None


def load_polis_export(directory: str | Path) -> PolisConversation:
    """Load comments.csv and votes.csv from a Pol.is open-data directory.

    Votes are sorted by timestamp (file order breaks ties) so the latest vote wins when
    the triples are fed to `build_vote_matrix`. Raises PolisFormatError for a missing
    column, a non-integer id or timestamp, a vote outside {-1, 0, 1}, a moderation value
    outside {-1, 0, 1}, a duplicated comment-id, or a vote on a comment that comments.csv
    does not list; FileNotFoundError when a file is absent.
    """
    base = Path(directory)
    comments_errors = _Collector("comments.csv")
    statement_ids: list[int] = []
    rejected: set[int] = set()
    first_line: dict[int, int] = {}
    for line, fields in _records(base / "comments.csv", COMMENT_COLUMNS, comments_errors):
        cid = _int(fields, "comment-id", line, comments_errors)
        mod = _int(fields, "moderated", line, comments_errors)
        if mod is not None and mod not in (-1, 0, 1):
            comments_errors.add(
                line,
                fields["moderated"][0],
                f"'moderated' must be -1, 0 or 1, got {mod}",
                "bad_moderation",
                value=mod,
            )
        if cid is None:
            continue
        if cid in first_line:
            comments_errors.add(
                line,
                fields["comment-id"][0],
                f"comment-id {cid} repeats line {first_line[cid]}",
                "duplicate_comment",
                id=cid,
                first=first_line[cid],
            )
            continue
        first_line[cid] = line
        statement_ids.append(cid)
        if mod == -1:
            rejected.add(cid)
    comments_errors.raise_if_any()

    statement_ids.sort()
    statement_index = {cid: i for i, cid in enumerate(statement_ids)}
    votes_errors = _Collector("votes.csv")
    times: list[int] = []
    voters: list[int] = []
    targets: list[int] = []
    values: list[int] = []
    for line, fields in _records(base / "votes.csv", VOTE_COLUMNS, votes_errors):
        ts = _int(fields, "timestamp", line, votes_errors)
        cid = _int(fields, "comment-id", line, votes_errors)
        pid = _int(fields, "voter-id", line, votes_errors)
        vote = _int(fields, "vote", line, votes_errors)
        if vote is not None and vote not in (-1, 0, 1):
            votes_errors.add(
                line, fields["vote"][0], f"'vote' must be -1, 0 or 1, got {vote}", "bad_vote", value=vote
            )
            continue
        if cid is not None and cid not in statement_index:
            votes_errors.add(
                line,
                fields["comment-id"][0],
                f"comment-id {cid} is not in comments.csv",
                "unknown_comment",
                id=cid,
            )
            continue
        if pid is not None and pid < 0:
            votes_errors.add(
                line,
                fields["voter-id"][0],
                f"'voter-id' must not be negative, got {pid}",
                "negative_voter",
                value=pid,
            )
            continue
        if ts is None or cid is None or pid is None or vote is None:
            continue
        times.append(ts)
        voters.append(pid)
        targets.append(statement_index[cid])
        values.append(vote)
    votes_errors.raise_if_any()

    ts_arr = np.asarray(times, dtype=np.int64)
    order = np.argsort(ts_arr, kind="stable")
    voter_arr = np.asarray(voters, dtype=np.int64)[order]
    participant_ids = np.unique(voter_arr)
    return PolisConversation(
        participant_ids=tuple(int(p) for p in participant_ids),
        statement_ids=tuple(statement_ids),
        participants=np.searchsorted(participant_ids, voter_arr).astype(np.int32),
        statements=np.asarray(targets, dtype=np.int32)[order],
        votes=np.asarray(values, dtype=np.int8)[order],
        timestamps=ts_arr[order],
        moderated_out=np.isin(np.asarray(statement_ids, dtype=np.int64), sorted(rejected)),
    )


def load_polis_groups(directory: str | Path) -> dict[int, int | None]:
    """Pol.is's own group per participant from participants-votes.csv (None = ungrouped)."""
    errors = _Collector("participants-votes.csv")
    groups: dict[int, int | None] = {}
    for line, fields in _records(Path(directory) / "participants-votes.csv", GROUP_COLUMNS, errors):
        pid = _int(fields, "participant", line, errors)
        gid = _int(fields, "group-id", line, errors, blank_ok=True)
        if pid is not None:
            groups[pid] = gid
    errors.raise_if_any()
    return groups
