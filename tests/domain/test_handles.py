"""Handles made from names, and the mentions a post's text makes."""

from itertools import islice

from resolvers.domain.handles import handle_candidates, mentioned, slug


def test_a_handle_is_the_name_in_plain_letters():
    assert slug("Olga Petrova") == "olga.petrova"
    assert slug("José Núñez-García") == "jose.nunez.garcia"
    assert list(islice(handle_candidates("Ana"), 3)) == ["ana", "ana2", "ana3"]
    assert next(handle_candidates("李")) == "teacher"


def test_mentions_are_handles_after_an_at_sign_each_once():
    text = "Thanks @olga.petrova and @Mia! Mail me at tom@example.org, @olga.petrova."
    assert mentioned(text) == ["olga.petrova", "mia"]
