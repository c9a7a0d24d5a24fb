"""The header's light/dark toggle (slides/js/palette.js in place of Material's palette component): the system's
colour scheme picks the palette on a first visit, a tap switches it and the choice outlives a reload."""

from __future__ import annotations

import pytest

SCHEME = "() => document.body.getAttribute('data-md-color-scheme')"
VISIBLE_TOGGLE = "() => [...document.querySelectorAll('form.md-header__option label')].filter((l) => !l.hidden).map((l) => l.title)"


@pytest.mark.parametrize("system, scheme, toggle", [("light", "default", "Switch to dark mode"),
                                                   ("dark", "slate", "Switch to light mode")])
def test_first_visit_follows_the_system_scheme(open_page, system, scheme, toggle):
    page, _ = open_page("hog/", color_scheme=system)
    page.wait_for_function(f"() => {VISIBLE_TOGGLE}().length === 1")
    assert page.evaluate(SCHEME) == scheme
    assert page.evaluate(VISIBLE_TOGGLE) == [toggle]


def test_toggle_switches_and_the_choice_outlives_a_reload(open_page):
    page, _ = open_page("hog/", color_scheme="light")
    page.get_by_title("Switch to dark mode").click()
    page.wait_for_function(f"() => {SCHEME}() === 'slate'")
    assert page.evaluate(VISIBLE_TOGGLE) == ["Switch to light mode"]
    page.goto("svm/")
    page.wait_for_function(f"() => {VISIBLE_TOGGLE}().length === 1")
    assert page.evaluate(SCHEME) == "slate"
    page.get_by_title("Switch to light mode").click()
    page.wait_for_function(f"() => {SCHEME}() === 'default'")
    page.reload()
    page.wait_for_function(f"() => {VISIBLE_TOGGLE}().length === 1")
    assert page.evaluate(SCHEME) == "default"
    assert page.evaluate(VISIBLE_TOGGLE) == ["Switch to dark mode"]


def test_enter_on_the_focused_option_switches(open_page):
    page, _ = open_page("hog/", color_scheme="light")
    page.wait_for_function(f"() => {VISIBLE_TOGGLE}().length === 1")
    page.focus("#__palette_0")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {SCHEME}() === 'slate'")
    assert page.evaluate("() => document.activeElement.id") == "__palette_1"
