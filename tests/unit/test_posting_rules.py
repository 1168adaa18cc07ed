"""Vendors' own formats (issue 14), pure: each body format read, each transform, dotted and
nested names, constants, unmapped fields kept, and the answer templates."""

from __future__ import annotations

import pytest
from leadwave.models import AnswerFormat, FieldRule, PostingProfile
from leadwave.rules import posting as rules


def profile(*rules_: dict, **kw: object) -> PostingProfile:
    return PostingProfile.model_validate({"formats": ["json", "form", "xml"], "fields": list(rules_), **kw})


@pytest.mark.parametrize(("content_type", "kind"), [
    (None, "json"), ("application/json; charset=utf-8", "json"), ("application/vnd.lead+json", "json"),
    ("application/x-www-form-urlencoded", "form"), ("multipart/form-data", "form"), ("text/xml", "xml"),
    ("Application/XML", "xml"), ("application/soap+xml", "xml"), ("text/csv", None)])
def test_the_format_follows_the_content_type(content_type, kind):
    assert rules.format_of(content_type) == kind


def test_a_form_post_keeps_its_names_and_the_last_repeated_value():
    doc = rules.parse("form", "Lead.FirstName=Jane&Lead.Homephone=%28415%29+555-2671&x=1&x=2&empty=")
    assert doc == {"Lead.FirstName": "Jane", "Lead.Homephone": "(415) 555-2671", "x": "2", "empty": ""}


def test_an_xml_post_becomes_nested_values_and_repeated_elements_a_list():
    doc = rules.parse("xml", "<lead><contact><first>Jane</first><phone> 4155552671 </phone></contact>"
                             "<tag>a</tag><tag>b</tag></lead>")
    assert doc == {"contact": {"first": "Jane", "phone": "4155552671"}, "tag": ["a", "b"]}
    assert rules.parse("xml", "<amount>5</amount>") == {"amount": "5"}


@pytest.mark.parametrize(("kind", "raw", "code"), [
    ("json", "[1]", "invalid_json"), ("json", "{", "invalid_json"), ("form", "a=1&&&b", "invalid_form"),
    ("xml", "<a>", "invalid_xml"), ("json", "  ", "empty_body"),
    ("xml", '<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', "invalid_xml"),  # no entities, no DTDs
    ("xml", '<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', "invalid_xml"),
])
def test_unreadable_posts_are_refused_with_a_code(kind, raw, code):
    with pytest.raises(rules.PostError) as exc:
        rules.parse(kind, raw)
    assert exc.value.code == code


def test_dotted_names_find_keys_as_posted_or_nested_paths_and_list_items():
    doc = {"Lead.FirstName": "Jane", "lead": {"contact": {"phones": ["111", "222"]}}}
    assert rules.lookup(doc, "Lead.FirstName") == "Jane"
    assert rules.lookup(doc, "lead.contact.phones.1") == "222"
    assert rules.lookup(doc, "lead.nothing") is None and rules.lookup(doc, "lead.contact.phones.9") is None


@pytest.mark.parametrize(("transform", "given", "made"), [
    ("first_name", "Jane Q. Doe", "Jane Q."), ("last_name", "Jane Q. Doe", "Doe"),
    ("first_name", "Doe, Jane", "Jane"), ("last_name", "Doe, Jane", "Doe"), ("first_name", "Cher", "Cher"),
    ("last_name", "Cher", ""), ("digits", "(415) 555-2671 ext. 9", "41555526719"),
    ("state_code", "California", "CA"), ("state_code", " new  york ", "NY"), ("state_code", "tx", "TX"),
    ("state_code", "Narnia", "Narnia"), ("amount", "$1,250,000.00", "1250000.00"), ("amount", "USD 5", "USD 5"),
    ("trim", "  a  ", "a"), ("lower", "AbC", "abc"), ("upper", "AbC", "ABC"),
])
def test_each_transform(transform, given, made):
    assert rules.TRANSFORMS[transform](given) == made


def test_the_transforms_offered_are_the_ones_the_model_accepts():
    offered = set(FieldRule.model_fields["transforms"].annotation.__args__[0].__args__)
    assert offered == set(rules.TRANSFORMS)


def test_a_mapping_makes_the_lead_keeps_the_rest_in_fields_and_sets_constants():
    p = profile({"target": "first_name", "source": "Lead.FullName", "transforms": ["first_name"]},
                {"target": "last_name", "source": "Lead.FullName", "transforms": ["last_name"]},
                {"target": "phone", "source": "Lead.Homephone", "transforms": ["digits"]},
                {"target": "state", "source": "Lead.State", "transforms": ["state_code"]},
                {"target": "loan_amount", "source": "Lead.LoanAmount", "transforms": ["amount"]},
                {"target": "campaign_id", "value": "demo-waves"},
                {"target": "fields.source_site", "source": "Lead.Site"})
    doc = rules.parse("form", "Lead.FullName=Jane+Doe&Lead.Homephone=(415)+555-2671&Lead.State=California"
                              "&Lead.LoanAmount=%24420%2C000&Lead.Site=rates.example&Lead.CreditRating=Good&"
                              "Lead.Blank=")
    assert rules.map_post(doc, p) == {
        "first_name": "Jane", "last_name": "Doe", "phone": "4155552671", "state": "CA", "loan_amount": "420000",
        "campaign_id": "demo-waves",
        "fields": {"source_site": "rates.example", "Lead.CreditRating": "Good", "Lead.Blank": ""}}
    only_mapped = rules.map_post(doc, p.model_copy(update={"keep_unmapped": False}))
    assert only_mapped["fields"] == {"source_site": "rates.example"} and only_mapped["first_name"] == "Jane"


def test_nested_xml_maps_by_dotted_paths_and_unmapped_branches_are_kept_by_leaf():
    p = profile({"target": "first_name", "source": "contact.first"}, {"target": "phone", "source": "contact.phone"})
    doc = rules.parse("xml", "<lead><contact><first>Jane</first><phone>4155552671</phone></contact>"
                             "<meta><ip>1.2.3.4</ip></meta></lead>")
    assert rules.map_post(doc, p) == {"first_name": "Jane", "phone": "4155552671", "fields": {"meta.ip": "1.2.3.4"}}


def test_a_rule_needs_a_source_or_a_value_and_a_known_target():
    with pytest.raises(ValueError):
        FieldRule.model_validate({"target": "first_name"})
    with pytest.raises(ValueError):
        FieldRule.model_validate({"target": "first_name", "source": "a", "value": "b"})
    with pytest.raises(ValueError):
        FieldRule.model_validate({"target": "ssn", "source": "a"})
    assert FieldRule.model_validate({"target": "fields.Credit-Rating", "source": "a"}).target == "fields.Credit-Rating"


def test_answers_in_xml_escape_values_and_text_stays_on_one_line():
    xml = AnswerFormat(format="xml", template="<r><s>${outcome}</s><id>${prospect_id}</id><why>${reason}</why></r>")
    assert rules.answer(xml, outcome="rejected", status_code=400, reason="a <b> & c") == (
        "application/xml", "<r><s>rejected</s><id></id><why>a &lt;b&gt; &amp; c</why></r>")
    text = AnswerFormat(format="text", template="${outcome}:${prospect_id}:${reason}:${http_status}")
    assert rules.answer(text, outcome="accepted", status_code=202, prospect_id="pr_1", reason="two\nlines") == (
        "text/plain", "accepted:pr_1:two lines:202")
    assert rules.answer(AnswerFormat(), outcome="accepted", status_code=201) is None  # leadwave's JSON
    default = rules.answer(AnswerFormat(format="xml"), outcome="duplicate", status_code=200, prospect_id="pr_9")
    assert default is not None and "<status>duplicate</status><lead_id>pr_9</lead_id>" in default[1]
    assert rules.answer(AnswerFormat(format="text", template="${unknown} $"), outcome="accepted",
                        status_code=201) == ("text/plain", "${unknown} $")
