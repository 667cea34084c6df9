import time

import pytest

from ic_platform.sources.documents import SourceFormatError
from ic_platform.sources.edgar_submission import complete_submission_text, parse_submission


def test_splitting_a_submission_with_many_unclosed_tags_takes_one_pass():
    header = (
        "<SEC-DOCUMENT>x.txt\nACCESSION NUMBER:\t\t0000000000-25-000001\n"
        "CONFORMED SUBMISSION TYPE:\t4\nFILED AS OF DATE:\t\t20250102\n"
    )
    crafted = header + "<DOCUMENT><XML>" * 20_000 + "</DOCUMENT>" + "<DOCUMENT><XML>" * 20_000  # 600 KB
    started = time.monotonic()
    submission = parse_submission(crafted, "crafted")
    assert time.monotonic() - started < 1.0  # a lazy regex took 39 s on 200 KB of such tags
    assert len(submission.xml_documents) == 0  # no <XML> block is ever closed


def test_a_submission_cut_before_its_closing_tag_is_refused():
    whole = b"<SEC-DOCUMENT>x.txt\n<DOCUMENT>\n<TYPE>4\n</DOCUMENT>\n</SEC-DOCUMENT>\n"
    assert complete_submission_text(whole, "x").endswith("</SEC-DOCUMENT>\n")
    with pytest.raises(SourceFormatError, match="ends before its closing tag"):
        complete_submission_text(whole[:30], "x")
