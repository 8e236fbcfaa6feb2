def url_values(world) -> dict[str, dict]:
    return {
        "accounts.account_detail": {"user_id": world.users["member"].id},
        "accounts.account_issue_code": {"user_id": world.users["member"].id},
        "accounts.account_set_active": {"user_id": world.users["member"].id},
    }
