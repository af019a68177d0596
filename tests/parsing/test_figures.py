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
    ("2014年,我局收到12起政府信息依申请公开。", "applications_received", 12),
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
    ("2022年,我县收到政府信息依申请公开9件,上年转结1件。", "applications_carried_over", 1),  # 结转 transposed
    ("新受理政府信息公开申请17件,办结17件,上年转结政府信息公开申请0件,转下一年办理0件。", "applications_received", 17),
    ("新受理政府信息公开申请17件,办结17件,上年转结政府信息公开申请0件,转下一年办理0件。",
     "applications_carried_forward", 0),
    ("共收到依申请公开件30件,上年度结转办理件1件,共办结24件,结转到2025年办理7件。", "applications_carried_forward", 7),
    ("共收到群众网上申请105件,快递17件,合计122件,上年结转11件,截至12月底已回复126件。", "applications_received", 122),
    ("共收到群众网上申请105件,快递17件,合计122件,上年结转11件,截至12月底已回复126件。", "applications_completed", 126),
    ("新收到依申请公开政府信息42件,答复依申请公开政府信息39件。", "applications_completed", 39),
    ("2018年,共制作政府信息3021条,其中主动公开信息1027条,依申请公开信息459条。", "active_total", 1027),
    ("全年发布各类信息3659条,其中主动公开政策文件352条,新闻类信息854条。", "active_total", 3659),
    ("无涉及政府信息公开行政复议、诉讼案件。", "litigation_total", 0),
    ("新区收到政府信息公开申请383件,办结367件;结转2025年度继续办理政府信息公开申请16件。",
     "applications_carried_forward", 16),
    ("全年收到依申请公开19件,其中17件在法定期限内完成答复,2件转至下年继续办理。", "applications_carried_forward", 2),
    ("答复3050件(含上年度结转申请34件,另有103件顺延到下年度答复)。", "applications_carried_forward", 103),
    ("共收到8份政府信息公开申请,均为自然人申请。其中,予以公开2件。无下年度结转。", "applications_carried_forward", 0),
    # the 依申请公开 paragraph's later sentence, not another paragraph's
    ("共收到和办理依申请公开9件。处理结果中,部分公开2件,结转至下一年度办理2件。", "applications_carried_forward", 2),
    ("共收到和办理依申请公开9件。\n人大建议结转至下一年度办理2件。", "applications_carried_forward", None),
    ("全年在网站和微信平台公布信息202条,其中网站公布194条,微信公众号公布4条。", "active_total", 202),
    # a year before 结转 is the year carried from, one after it the year carried into
    ("2022年,共收到10件依申请公开请求,2021年结转政府信息公开申请2件,共办结10件,结转2023年度继续办理2件。",
     "applications_carried_over", 2),
    ("新区收到政府信息公开申请383件,办结367件(含2023年结转13件)。", "applications_carried_over", 13),
    ("收到申请5件,2022年结转下年度继续办理1件。", "applications_carried_over", None),
    # a case lost is not a case: no zero for "未发生…行政复议被改变或行政诉讼败诉"
    ("我厅未发生因信息公开引起的行政复议被改变或行政诉讼败诉情形。", "review_total", None),
    ("我厅未发生因信息公开引起的行政复议被改变或行政诉讼败诉情形。", "litigation_total", None),
    ("没有出现被投诉举报、行政复议及行政诉讼纠错的情况。", "review_total", None),
    ("未发生因政府信息公开申请行政复议、提起行政诉讼情况。", "litigation_total", 0),
    # a sentence of the 依申请公开 paragraph opening with 办结 (嘉兴市政府办公室 2023)
    ("共收到政府信息公开申请132件,上年结转2件,共计134件。目前依法办结122件,其中予以公开的27件。", "applications_completed", 122),
    ("共收到政府信息公开申请132件。\n全市共受理网民留言60条。已办结60条。", "applications_completed", None),
])
def test_figure_phrasings(sentence: str, key: str, value: int | None) -> None:
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


# --- issue 15: every format's prose, zero phrasings, ambiguity ---------------------------------
@pytest.mark.parametrize(("sentence", "expected"), [
    # the summary of a 2021-format 总体情况 (our own words, the shape real reports use)
    ("全年共收到政府信息公开申请52件，上年度结转3件；予以公开20件，部分公开8件，结转下年继续办理4件。",
     {"applications_received": 52, "applications_carried_over": 3, "applications_granted": 20,
      "applications_carried_forward": 4}),
    ("全年通过门户网站公开各类信息1234条。", {"active_total": 1234}),
    ("2016年镇政府信息公开全年发布各类信息247条，其中机构概况类5条。", {"active_total": 247}),
    ("2021年主动公开的各类政府信息数量66件。", {"active_total": 66}),
    ("本年度没有接到公民、法人或其他组织的政府信息公开申请。", {"applications_received": 0}),
    ("2025年度，建章路街道办事处未接收到政府信息公开申请。", {"applications_received": 0}),
    ("2020年度我街办未接到提出公开政府信息的申请。", {"applications_received": 0}),
    ("未产生因政府信息公开申请提请的行政复议和行政诉讼。", {"review_total": 0, "litigation_total": 0}),
    ("本年度涉及政府信息公开的行政复议、行政诉讼案件为0件。", {"review_total": 0, "litigation_total": 0}),
    ("依申请公开3次，行政复议0次，行政诉讼0次。", {"applications_received": 3, "review_total": 0, "litigation_total": 0}),
    ("涉及信息公开行政复议1项。", {"review_total": 1}),
    ("收到公民、法人或其他组织提交政府信息公开申请0条。政府信息公开行政复议、行政诉讼0条。",
     {"applications_received": 0, "review_total": 0, "litigation_total": 0}),
    ("2022年，我镇主动公开政务动态类信息420条。其中重点工作186条，文化体育5条。", {"active_total": 420}),
    ("因政府信息公开被申请行政复议和提起行政诉讼均为0。", {"review_total": 0, "litigation_total": 0}),
    ("政府信息公开行政复议数为0，行政诉讼数为0。", {"review_total": 0, "litigation_total": 0}),
    ("全年共收到依申请公开0件，公开0件，不予公开0件。", {"applications_received": 0, "applications_granted": 0}),
    ("其中办结政府信息公开申请0件。", {"applications_completed": 0}),
    ("政府信息依申请公开系统共收到1宗信息。", {"applications_received": 1}),
    ("本年度共收到政府信息公开申请12件，其中新收10件，上年结转2件。",
     {"applications_received": 10, "applications_carried_over": 2}),
    ("我局通过县政府门户网站公开政府信息234条。", {"active_total": 234}),
    # a PDF text layer wraps the numbers onto lines of their own; the cumulative count is another figure
    ("本区到年底累计主动公开政府信息\n5928\n条，全文电子化率达90.3%，其中，本年度新增主动公开政府信息\n2110\n条。",
     {"active_total": 2110}),
    ("沒有向政府信息公開申請人收費的情況。", {"fees_yuan": 0}),
    ("我乡未发生政府信息公开申请，因而未发生政府信息公开的收费及减免情况。", {"fees_yuan": 0, "applications_received": 0}),
    # wordings of 2023-2025 street, county and 苏木 reports (新港街, 杨村街道, 伊宁县, 兴安盟外事办, 长春市政府办公厅, 高平)
    ("不存在上年度结转政府信息公开申请。不存在因政府信息公开引起的行政诉讼。",
     {"applications_carried_over": 0, "litigation_total": 0}),
    ("全年收到政府信息公开申请6件，上年无结转，办结6件。", {"applications_received": 6, "applications_carried_over": 0}),
    ("伊宁县人民政府2023年接受依申请公开0件。", {"applications_received": 0}),
    ("我办共通过门户网站及政务新媒体方式主动公开907条，其中通过政府网站公开86条，微信公众号公开821条。",
     {"active_total": 907}),
    ("答复政府信息公开申请98件（含上年度转结申请8件，另有5件申请转结下年度继续办理）。",
     {"applications_carried_over": 8, "applications_carried_forward": 5}),
    ("全年共收到和办理依申请公开12件，上年度结转政府信息公开申请0件。处理结果中，予以公开2件，部分公开8件。",
     {"applications_received": 12, "applications_granted": 2}),
])
def test_prose_figures_of_every_format(sentence: str, expected: dict[str, int]) -> None:
    figures = extract_figures(sentence)
    assert {key: figures.get(key) for key in expected} == expected


@pytest.mark.parametrize(("sentence", "key"), [
    ("全年共受理政府信息公开申请18件，均予以合法答复。", "applications_received"),  # 受理: new + carried over?
    ("截至11月,我市线上线下依申请公开平台共受理依申请公开8件次。", "applications_received"),
    ("行政复议、行政诉讼案件共3件。", "review_total"),  # one number for both kinds
    ("行政复议、行政诉讼案件共3件。", "litigation_total"),
    ("通过各类渠道发布各类信息100余条。", "active_total"),  # an approximation is no figure
    ("2017年，主动公开政府工作信息、动态755多条。", "active_total"),
    ("截止2023年12月31日我局通过官方网站发布政务类信息34条，概况类信息150条。", "active_total"),  # two categories
    ("全年未收到行政许可申请。", "applications_received"),  # not a disclosure application
    ("全年共收到政府信息公开申请12件（含上年结转2件）。", "applications_received"),  # new + carried over
    ("全年在政府网站子栏目公开信息95条,微信公众号发布信息37条。", "active_total"),  # two channels, no total
    ("全县26家行政机关通过政务新媒体账号公开信息5994条。", "active_total"),  # one side channel
    ("收到申请5件,上年度结转至2022年的申请3件。", "applications_carried_forward"),  # carried in, not forward
    # items counted side by side, no total (长塘镇, 春华街道, 高平, 工农区 reports)
    ("2023年，我镇在门户网站公开了党委文件27份、政府文件14份、党委和政府工作信息100篇。", "active_total"),
    ("主动公开2023年工作计划，公开重大民生信息7项，更新领导信息1次。", "active_total"),
    ("在门户网站发布政务动态类信息226条，发布市政府文件及解读信息66条。", "active_total"),
    ("“高平市人民政府”微信公众号全年发布信息2901条。", "active_total"),
    ("全年发布政府网站信息640条、微信公众号2890条、视频号及抖音号548条。", "active_total"),
])
def test_ambiguous_or_approximate_phrasings_give_no_value(sentence: str, key: str) -> None:
    assert key not in extract_figures(sentence)


@pytest.mark.parametrize("sentence", [
    "截至11月,我市线上线下依申请公开平台共受理依申请公开8件次,按时答复率为100%。",
    "本局2017年共受理信息公开申请8件,其中当面申请1宗。",
])
def test_pre2019_reports_accept_what_they_receive(sentence: str) -> None:
    """The 2008-era statistics had no carried-over count: 受理 is the year's applications."""
    assert extract_figures(sentence, "pre2019")["applications_received"] == 8
    assert "applications_received" not in extract_figures(sentence, "2021")


def test_document_counts_are_not_application_outcomes() -> None:
    text = "以区政府名义新制作行政规范性文件15件,公开15件,发布政策文件解读12件。"
    assert "applications_granted" not in extract_figures(text)


def test_accepting_zero_applications_is_unambiguous() -> None:
    assert extract_figures("本年度共受理群众网上申请政府信息公开申请0件。")["applications_received"] == 0


@pytest.mark.parametrize("text", [
    "办结依申请公开81件，其中：予以公开及部分公开42件，占51.85%；不予公开5件，占6.17%。",  # pingtan-2023
    "均在法定期限内予以答复。予以公开及部分公开258件，占33.9%；不予公开35件，占4.34%。",  # a city report, 805 applications
])
def test_granted_and_partly_granted_counted_together_are_no_granted_count(text: str) -> None:
    assert "applications_granted" not in extract_figures(text)


def test_granted_counted_before_partly_granted_is_still_read() -> None:
    assert extract_figures("共收到政府信息公开申请15件，其中予以公开12件、部分公开3件。")["applications_granted"] == 12
