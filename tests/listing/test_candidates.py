"""Which titles are annual disclosure reports, and which year they are about."""

from __future__ import annotations

from datetime import date

import pytest

from govreports.listing.candidates import judge_title, parse_years, report_year_hint, year_wanted

DETAIL = "http://www.gaoping.gov.cn/zwgk/zfxxgknb/202401/t20240125_236480.html"


@pytest.mark.parametrize(("title", "year"), [
    ("南充市高坪区人民政府2023年政府信息公开工作年度报告", 2023),
    ("资兴市2019年政府信息公开工作年度报告", 2019),
    ("鄂溫克族自治旗2019年政府信息公開工作年度報告", 2019),  # Traditional script
    ("张家口市宣化区2018年度政府信息公开年报", 2018),
    ("二〇一九年政府信息公开年报", 2019),
    ("九龙坡区财政局2021年度政务公开工作年度报告", 2021),
    ("XX县2009年政府信息公开工作报告", 2009),
    ("２０２０年政府信息公开工作年度报告（图片版）", 2020),  # full-width digits
    ("关于2012年度政府信息公开工作的年度报告", 2012),
])
def test_annual_disclosure_reports_are_kept_with_their_year(title, year):
    verdict = judge_title(title)
    assert verdict.keep, verdict
    assert verdict.year == year


@pytest.mark.parametrize(("title", "reason"), [
    ("高坪区2023年政府网站工作年度报表", "not_a_disclosure_report"),
    ("南充市2023年政府信息公开工作年度报告汇总", "summary_page"),
    ("2023年度各区县政府信息公开年报汇总", "summary_page"),
    ("资兴市2023年度部门决算", "not_a_disclosure_report"),
    ("资兴市财政局2023年度部门决算公开", "not_a_disclosure_report"),
    ("关于做好2023年政府信息公开工作年度报告编制发布工作的通知", "notice"),
    ("《2023年政府信息公开工作年度报告》解读", "interpretation"),
    ("一图读懂南充市高坪区2023年政府信息公开工作年度报告", "infographic"),
    ("2023年政务公开工作要点", "not_a_disclosure_report"),
    ("2024年政府工作报告", "not_a_disclosure_report"),
    ("政府信息公开年报", "no_year"),  # a column link or a breadcrumb
    ("", "no_title"),
])
def test_other_documents_of_the_column_are_dropped_with_a_reason(title, reason):
    verdict = judge_title(title)
    assert not verdict.keep and verdict.reason == reason


# real titles (tests/fixtures/real-world and the pages they came from): unusual report titles kept
@pytest.mark.parametrize(("title", "year"), [
    ("重庆市大足区人民政府外事办公室政府信息公开工作2022年度报告", 2022),  # the year inside the noun
    ("龙潭区人民政府2017年政府信息公开工作年度报告", 2017),
    ("2022年上海市政府信息公开工作年度报告", 2022),  # the year before the unit
    ("2020年上海市人民政府辦公廳政府信息公開工作年度報告", 2020),  # Traditional mirror
    ("遂溪县人民政府2023年度政府信息公开工作年度报告", 2023),
    ("龙游县横山镇2023年政府信息公开工作年度报告", 2023),
])
def test_real_report_titles_are_kept(title, year):
    verdict = judge_title(title, DETAIL)
    assert verdict.keep and verdict.year == year, verdict


# real titles of what a 年报 column or a search also holds, each dropped for what it is
@pytest.mark.parametrize(("title", "reason"), [
    ("武威市人民政府办公室关于做好2025年政府信息公开工作年度报告编制和发布工作的通知", "notice"),
    ("国务院办公厅政府信息与政务公开办公室关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知", "notice"),
    ("關于政府信息公開工作年度報告有關事項的通知", "notice"),
    ("文字解读:济南市历下区大明湖街道办事处2022年政府信息公开工作年度报告", "interpretation"),
    ("2015年度政府信息公開優秀年度報告出爐", "news"),  # news about reports, www.gov.cn
    ("信息公開工作年度報告制度", "regulation"),  # a bureau's rule on its report, no year
    ("山西省人民政府办公厅政府信息公开年度报告制度(试行)", "regulation"),
    ("政府信息公开年度工作报告范文", "regulation"),  # a template on a document-sharing site
    ("转发:《威县2023年政务公开工作要点》政策解读", "not_a_disclosure_report"),
    ("2023年新余市政务公开工作要点", "not_a_disclosure_report"),
    ("静海区2023年度法治政府建设情况报告", "not_a_disclosure_report"),
    ("子洲县二〇二三年国民经济和社会发展统计公报", "not_a_disclosure_report"),
    ("衡东县12345政务服务热线中心2025年第一季度运行情况分析报告", "not_a_disclosure_report"),
    ("国务院办公厅关于做好政府网站年度报表发布工作的通知", "not_a_disclosure_report"),
])
def test_real_titles_of_other_documents_are_dropped_with_a_reason(title, reason):
    verdict = judge_title(title, DETAIL)  # a document URL: only the title decides
    assert not verdict.keep and verdict.reason == reason, verdict


def test_a_yearless_report_title_is_kept_only_on_a_document_url():
    assert judge_title("县统计局政府信息公开工作年度报告", DETAIL).keep
    assert not judge_title("县统计局政府信息公开工作年度报告", "http://x.gov.cn/zwgk/zfxxgknb/").keep


def test_report_year_is_the_year_named_not_the_publication_year():
    assert report_year_hint("2023年政府信息公开工作年度报告（2024年1月发布）") == 2023
    assert report_year_hint("no year here") is None
    assert report_year_hint("2031年规划", today=date(2025, 1, 1)) is None


def test_years_argument_forms_and_errors():
    assert parse_years("2019-2023") == (2019, 2023)
    assert parse_years("2021") == (2021, 2021)
    assert parse_years("2019-", today=date(2025, 6, 1)) == (2019, 2025)
    assert parse_years("-2012") == (2008, 2012)
    for bad in ("2023-2019", "nineteen", "19-23", "2019,2020"):
        with pytest.raises(ValueError, match="years"):
            parse_years(bad)


def test_year_filter_keeps_unknown_years():
    assert year_wanted(None, (2019, 2020))
    assert year_wanted(2020, (2019, 2020)) and not year_wanted(2018, (2019, 2020))
    assert year_wanted(2001, None)
