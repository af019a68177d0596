"""Headline figures from prose, in the phrasings real reports use (docs/research/format-research.md §5.3)."""

from __future__ import annotations

import pytest

from govreports.parsing.figures import chinese_number, extract_figures


@pytest.mark.parametrize(("sentence", "key", "value"), [
    ("2018年,全区主动公开政府信息共计26332条,其中概况信息159条。", "active_total", 26332),
    ("2015年度共主动公开政府信息339条。其中,政务动态类信息112条,占33.04%", "active_total", 339),
    ("今年，我区政府信息公开单位共公布政府信息2599条，(其中其他应主动公开政府信息856条)", "active_total", 2599),
    ("2020年巴彥嵯崗蘇木人民政府主動公開政府信息數為28件。", "active_total", 28),
    ("主动向社会公开财政预算、公共资源配置、重大建设项目、社会公益事业等政府信息13741条。", "active_total", 13741),
    ("2018年全区共收到政府信息依申请公开的申请件6件,办结6件。", "applications_received", 6),
    ("2018年全区共收到政府信息依申请公开的申请件6件,办结6件。", "applications_completed", 6),
    ("截至11月,我市线上线下依申请公开平台共受理依申请公开8件次,按时答复率为100%。", "applications_received", 8),
    ("2014年,我局收到12起政府信息依申请公开。", "applications_received", 12),
    ("本局2017年共受理信息公开申请10件,其中当面申请1宗。", "applications_received", 10),
    ("我区2019年度接到3起依申请公开政府信息的申请,发生一起行政复议案件。", "applications_received", 3),
    ("本单位2014年没有收到政府信息公开申请。", "applications_received", 0),
    ("我蘇木2020年無依申請公開政府信息。", "applications_received", 0),
    ("2018年,因政府信息公开申请的行政复议12件,其中被依法纠错4件。", "review_total", 12),
    ("截至2017年11月底,我市共受理行政复议案件21件,办结18件。", "review_total", 21),
    ("发生一起针对政府信息公开事务的行政复议案件,结果维持。", "review_total", 1),
    ("2015年度未发生针对政府信息公开事务的复议、诉讼和申诉。未发生行政复议。", "review_total", 0),
    ("因政府信息公开提起的行政诉讼17件,其中维持11件。", "litigation_total", 17),
    ("没有发生行政诉讼情况。", "litigation_total", 0),
    ("全区各单位未收取涉及政府信息公开工作的任何费用。", "fees_yuan", 0),
    ("没有向依申请公开对象收取复印、传真、递送等任何费用", "fees_yuan", 0),
    ("收取的费用(检索费、邮寄费、复制费等)为0元", "fees_yuan", 0),
    ("本年度收取信息处理费用3940元。", "fees_yuan", 3940),
    ("全年收取信息处理费共计1.5万元。", "fees_yuan", 15000),
])
def test_figure_phrasings(sentence: str, key: str, value: int) -> None:
    assert extract_figures(sentence).get(key) == value


def test_a_review_count_is_not_an_application_completion() -> None:
    figures = extract_figures("截至2017年11月底,我市共受理行政复议案件21件,办结18件,其中通过调解后申请人撤回3件。")
    assert "applications_completed" not in figures and "applications_received" not in figures
    assert figures["review_total"] == 21


def test_figures_not_stated_are_absent_not_zero() -> None:
    assert extract_figures("本年度我区认真落实条例，持续深化政务公开。") == {}


def test_first_statement_wins_over_later_breakdowns() -> None:
    text = "全区主动公开政府信息共计26332条。通过政府网站主动公开政府信息9705条。"
    assert extract_figures(text)["active_total"] == 26332


@pytest.mark.parametrize(("token", "value"), [("26,332", 26332), ("一", 1), ("两", 2), ("十", 10), ("十二", 12),
                                              ("二十三", 23), ("百", None), ("", None)])
def test_chinese_numbers(token: str, value: int | None) -> None:
    assert chinese_number(token) == value
