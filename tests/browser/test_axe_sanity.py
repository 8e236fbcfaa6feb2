"""The axe check itself must be able to fail, or every other browser test's accessibility claim is empty."""

import pytest

pytestmark = pytest.mark.browser


def test_axe_check_fails_on_a_real_violation(page, live_server, axe_check):
    page.goto("/")
    # A small unlabeled button: breaks both "button-name" and the 24×24 target-size rule.
    page.evaluate(
        "() => { const b = document.createElement('button'); b.className = 'tiny'; "
        "b.style.cssText = 'width:10px;height:10px;padding:0;border:0'; document.querySelector('main').append(b); }"
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        axe_check(page)
    assert "button-name" in str(failure.value)
