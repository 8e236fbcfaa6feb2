def url_values(world) -> dict[str, dict]:
    # The notification endpoints take no URL values; a user only ever reaches their own notifications.
    return {}
