import pytest
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError

from content.blocks import ComparisonTableBlock, SectionsBlock, sections_of


def sections(*headings_and_anchors):
    block = SectionsBlock()
    return block, block.to_python(
        [
            {
                "type": "section",
                "value": {
                    "heading": heading,
                    "anchor": anchor,
                    "body": [{"type": "text", "value": "<p>Words.</p>"}],
                },
            }
            for heading, anchor in headings_and_anchors
        ]
    )


def test_a_blank_anchor_is_made_from_the_heading():
    block, value = sections(("Installation day, step by step", ""))

    cleaned = block.clean(value)

    assert cleaned[0].value["anchor"] == "installation-day-step-by-step"


def test_two_sections_cannot_share_an_anchor():
    block, value = sections(("Costs", "costs"), ("Costs again", "costs"))

    with pytest.raises(StreamBlockValidationError) as error:
        block.clean(value)

    message = str(error.value.block_errors[1].block_errors["anchor"])
    assert "Section 1 already uses “costs”" in message


def test_an_anchor_must_be_a_slug():
    block, value = sections(("Costs", "Costs & prices"))

    with pytest.raises(StreamBlockValidationError) as error:
        block.clean(value)

    assert "lowercase letters" in str(
        error.value.block_errors[0].block_errors["anchor"]
    )


def test_rendered_sections_fall_back_to_unique_anchors_without_clean():
    _, value = sections(("Costs", ""), ("Costs", ""), ("", ""))

    anchors = [section.anchor for section in sections_of(value)]

    assert anchors == ["costs", "costs-2", "section-3"]


def test_a_comparison_row_needs_one_cell_per_column():
    block = ComparisonTableBlock()
    value = block.to_python(
        {
            "caption": "Pools",
            "columns": ["Fibreglass", "Concrete"],
            "rows": [{"label": "Build time", "cells": ["2 weeks"]}],
        }
    )

    with pytest.raises(StructBlockValidationError) as error:
        block.clean(value)

    assert "has 1 cells but the table has 2 columns" in str(
        error.value.block_errors["rows"].block_errors[0].block_errors["cells"]
    )
