"""Whether a group is ready for members, item by item."""

from resolvers.domain.content import PageKind, ReadinessItem, readiness


def test_a_bare_group_lacks_everything():
    assert not any(readiness({}, set(), False).values())


def test_each_item_counts_on_its_own():
    group = {"image_url": "https://example.org/g.png", "welcome_message": "Hi"}
    done = readiness(group, {PageKind.ACTIVITY}, True)
    assert [item for item, ok in done.items() if not ok] == [
        ReadinessItem.PAGES, ReadinessItem.WORK_PLAN]


def test_a_group_with_all_of_it_is_ready():
    group = {"image_url": "https://example.org/g.png", "welcome_message": "Hi"}
    assert all(readiness(group, set(PageKind), True).values())
