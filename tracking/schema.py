"""The beacon's wire format, validated strictly before anything is stored.

A batch is ``{"v": page view id, "p": page id, "s": batch number, "t":
milliseconds since the page view started, "e": [events]}``; each event names
its kind in ``"k"``. Unknown keys, unknown kinds, wrong types (a boolean is not
a number, a float is not milliseconds) and out-of-range numbers are refused.
"""

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

MAX_MS = 24 * 3600 * 1000
MAX_VIDEO_SECONDS = 6 * 3600
MAX_EVENTS = 100
MAX_RANGES = 200

BlockId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Millis = Annotated[int, Field(ge=0, le=MAX_MS)]
# No NUL in answers: PostgreSQL's jsonb cannot store it.
Answer = (
    Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]
    | Annotated[int, Field(ge=-(10**12), le=10**12)]
    | Annotated[float, Field(allow_inf_nan=False, ge=-1e12, le=1e12)]
    | bool
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class View(Strict):
    k: Literal["view"]


class Engaged(Strict):
    k: Literal["engaged"]
    ms: Millis


class Depth(Strict):
    k: Literal["depth"]
    pct: Annotated[int, Field(ge=0, le=100)]


class End(Strict):
    k: Literal["end"]


class Section(Strict):
    k: Literal["section"]
    id: BlockId
    ms: Millis


class Video(Strict):
    k: Literal["video"]
    id: BlockId
    dur: Annotated[int, Field(ge=1, le=MAX_VIDEO_SECONDS)]
    r: Annotated[
        list[tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=1)]]],
        Field(max_length=MAX_RANGES),
    ]

    @model_validator(mode="after")
    def ranges_fit_the_video(self) -> "Video":
        for start, end in self.r:
            if not start < end <= self.dur:
                raise ValueError("each range must be [from, to) within the duration")
        return self


class Complete(Strict):
    """An interactive piece (calculator, assessment) reporting completion."""

    k: Literal["complete"]
    id: BlockId
    data: Annotated[dict[BlockId, Answer], Field(max_length=40)] = {}


Event = Annotated[
    View | Engaged | Depth | End | Section | Video | Complete,
    Field(discriminator="k"),
]


class Batch(Strict):
    v: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    p: Annotated[int, Field(ge=1, le=2**31 - 1)]
    s: Annotated[int, Field(ge=0, le=100_000)]
    t: Millis
    e: Annotated[list[Event], Field(min_length=1, max_length=MAX_EVENTS)]

    @model_validator(mode="after")
    def physically_possible(self) -> "Batch":
        seen: set[tuple[str, str]] = set()
        for event in self.e:
            identity = (event.k, getattr(event, "id", ""))
            if identity in seen:
                raise ValueError("an event repeats within the batch")
            seen.add(identity)
            if getattr(event, "ms", 0) > self.t:
                raise ValueError("engaged longer than the page view has existed")
        return self


class InvalidBatch(ValueError):
    """The body is not a valid batch; ``fields`` names where, never what.

    ``malformed`` is true when the body is not even JSON.
    """

    def __init__(self, fields: list[str], *, malformed: bool = False):
        super().__init__("invalid batch")
        self.fields = fields
        self.malformed = malformed


def parse_batch(body: bytes) -> Batch:
    """Validate a beacon body (UTF-8 JSON) or raise ``InvalidBatch``."""
    try:
        return Batch.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False)
        if any(error["type"] == "json_invalid" for error in errors):
            raise InvalidBatch(["body"], malformed=True) from None
        fields = sorted({".".join(str(part) for part in e["loc"]) for e in errors})
        raise InvalidBatch(fields[:10]) from None
