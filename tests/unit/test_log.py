from simple_deploy.log import REDACTED, RunLog


def test_values_under_secret_keys_in_json_output_are_redacted():
    log = RunLog()
    log.secrets_in_json('{"SECRET_KEY": "k3y-from-an-earlier-run", "ON_HEROKU": "1"}')
    log.add("SECRET_KEY=k3y-from-an-earlier-run ON_HEROKU=1")
    assert "k3y-from-an-earlier-run" not in "\n".join(log.lines)
    assert "ON_HEROKU=1" in log.lines[-1]


def test_short_values_and_urls_without_credentials_stay_readable():
    log = RunLog()
    log.secrets_in_json('[{"api_token": "short", "web_url": "https://app.example.com/"}]')
    assert log.redact("short https://app.example.com/") == "short https://app.example.com/"


def test_non_json_output_is_ignored():
    log = RunLog()
    log.secrets_in_json("Setting SECRET_KEY... done")
    assert log.secrets == set()


def test_passwords_in_urls_are_redacted_wherever_they_appear():
    log = RunLog()
    text = "DATABASE_URL: postgres://user:pa55word@db.example.com:5432/app"
    assert log.redact(text) == f"DATABASE_URL: postgres://user:{REDACTED}@db.example.com:5432/app"
