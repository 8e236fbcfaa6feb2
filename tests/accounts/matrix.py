def url_values(world) -> dict[str, dict]:
    return {
        "accounts.account_detail": {"user_id": world.users["member"].id},
        "accounts.account_issue_code": {"user_id": world.users["member"].id},
        "accounts.account_set_active": {"user_id": world.users["member"].id},
        "accounts.account_email": {"user_id": world.users["clerk"].id},
        # No provider is configured in the matrix's app: these answer 404 to whoever may reach them.
        "accounts.account_disconnect": {"user_id": world.users["member"].id, "provider": "feide"},
        "accounts.sso_login": {"provider": "feide"},
        "accounts.sso_activate": {"provider": "feide"},
        "accounts.sso_connect": {"provider": "feide"},
        "accounts.sso_take_email": {"provider": "feide"},
        "accounts.sso_callback": {"provider": "feide"},
    }
