"""LIX, checked against examples counted by hand."""

from __future__ import annotations

from youthcouncil.consultations import readability


def test_lix_matches_a_hand_computed_example():
    text = "Kommunen planlegger en ny skatepark ved skolen. Hva synes dere om forslaget?"
    # Words: Kommunen planlegger en ny skatepark ved skolen | Hva synes dere om forslaget = 7 + 5 = 12.
    # Long (more than 6 letters): Kommunen(8) planlegger(10) skatepark(9) forslaget(9) = 4; "skolen" has 6: not long.
    # LIX = 12 / 2 + 100 * 4 / 12 = 6 + 33.33 = 39.33 -> 39
    result = readability.lix(text)
    assert (result.words, result.sentences, result.long_words, result.lix) == (12, 2, 4, 39)
    assert result.is_hard  # above 35: the gentle warning


def test_lix_counts_letters_not_hyphens_and_rounds_half_up():
    # "e-sport" has 7 characters but only 6 letters: not a long word.
    assert readability.lix("Vi liker e-sport").long_words == 0
    # 3 words, 2 sentences, 0 long -> 1.5 -> 2 (not banker's rounding)
    assert readability.lix("Vi leker. Hei du.").lix == 2
    # Sentences end at . ! ? and : (as in Björnsson's LIX), not at a semicolon or a comma.
    assert readability.lix("Vi leker; det er gøy, sant?").sentences == 1
    assert readability.lix("Se her: det er gøy! Ikke sant?").sentences == 3
