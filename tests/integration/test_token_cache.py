"""The login cache through real ansible-playbook runs: the module processes of a run log in once,
``token_cache: false`` turns it off, the files are private, an expired token is requested again,
a wrong secret fails with a cache present, and a stale metadata document heals itself.

Each test has a HOME of its own, so its cache starts empty; which task made which request comes
from the task's start and end in the results (PlaybookRun.during).
"""

from __future__ import annotations

import json
import os
import stat
import uuid
from collections import Counter

import pytest

from ansible_collections.cloudlb.azure.plugins.module_utils._login_cache import LoginCache, token_cache_name

LOGIN_KINDS = ("metadata", "identity", "token")
FULL_LOGIN = {"metadata": 1, "identity": 1, "token": 1}


def probe(name, **options):
    """A read-only task that needs a token and an ARM call."""
    return {"name": name, "cloudlb.azure.resource_group_info": {"name": "rg-token-cache-probe", **options}}


def logins(run, azemu, since, name):
    """{kind: count} of the login requests task ``name`` made."""
    return dict(Counter(r["kind"] for r in run.during(name, azemu.requests(since=since)) if r["kind"] in LOGIN_KINDS))


@pytest.fixture
def fresh_home(azure_env, tmp_path):
    """(env, home): the runs' environment with an empty HOME of its own."""
    home = tmp_path / "home"
    home.mkdir()
    return dict(azure_env, HOME=str(home)), home


def cache_dir(home):
    return home / ".IdentityService" / "cloudlb.azure"


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_run_logs_in_once_and_keeps_the_cache_private(run_playbook, azemu, fresh_home):
    env, home = fresh_home
    mark = azemu.mark()
    run = run_playbook([probe("first"), probe("second"), probe("third")], env=env)
    assert run.ok, run.output()
    assert logins(run, azemu, mark, "first") == FULL_LOGIN
    assert logins(run, azemu, mark, "second") == {} and logins(run, azemu, mark, "third") == {}
    # The next run too: the token and the metadata document are shared across runs.
    mark = azemu.mark()
    run = run_playbook([probe("again")], env=env)
    assert run.ok and logins(run, azemu, mark, "again") == {}, run.output()
    assert [r["kind"] for r in azemu.requests(since=mark)] == ["arm"]

    directory = cache_dir(home)
    assert mode(directory) == 0o700 and mode(directory.parent) == 0o700
    files = sorted(os.listdir(directory), key=lambda name: name.startswith("metadata-"))
    assert len(files) == 2 and files[0].endswith(".nocae") and files[1].startswith("metadata-"), files
    secret = env["AZURE_SECRET"]
    for name in files:
        assert mode(directory / name) == 0o600, name
        assert secret not in name and secret not in (directory / name).read_text(encoding="utf-8")
    tokens = json.loads((directory / files[0]).read_text(encoding="utf-8"))
    assert len(tokens["AccessToken"]) == 1


def test_token_cache_false_logs_in_in_every_process(run_playbook, azemu, fresh_home):
    env, home = fresh_home
    off = dict(env, ANSIBLE_AZURE_TOKEN_CACHE="false")
    mark = azemu.mark()
    run = run_playbook([probe("env off"), probe("option off", token_cache=False)], env=off)
    assert run.ok, run.output()
    assert logins(run, azemu, mark, "env off") == FULL_LOGIN
    assert logins(run, azemu, mark, "option off") == FULL_LOGIN
    assert not (home / ".IdentityService").exists()
    # The option wins over the environment; what it cached, a process with the cache off ignores.
    mark = azemu.mark()
    run = run_playbook([probe("option on", token_cache=True), probe("option on again", token_cache=True),
                        probe("env off again")], env=off)
    assert run.ok, run.output()
    assert logins(run, azemu, mark, "option on") == FULL_LOGIN
    assert logins(run, azemu, mark, "option on again") == {}
    assert logins(run, azemu, mark, "env off again") == FULL_LOGIN


@pytest.fixture
def short_tokens(azemu):
    """azemu issuing tokens that live one second; restored afterwards."""
    before = azemu.settings()["token_lifetime"]
    azemu.settings(token_lifetime=1)
    yield
    azemu.settings(token_lifetime=before)


def test_an_expired_token_is_requested_again(run_playbook, azemu, fresh_home, short_tokens):
    env, _home = fresh_home
    mark = azemu.mark()
    run = run_playbook([probe("first"), probe("second")], env=env)
    assert run.ok, run.output()
    assert logins(run, azemu, mark, "first") == FULL_LOGIN
    # The cached token had less than five minutes left (it had expired): asked for again.
    assert logins(run, azemu, mark, "second") == {"identity": 1, "token": 1}


def test_a_wrong_secret_fails_with_a_cache_present(run_playbook, azemu, fresh_home):
    env, home = fresh_home
    wrong = f"wrong-secret-{uuid.uuid4().hex}"
    mark = azemu.mark()
    run = run_playbook([probe("right"), {**probe("wrong", secret=wrong), "ignore_errors": True},
                        probe("right again")], env=env)
    assert run.ok, run.output()
    assert logins(run, azemu, mark, "right") == FULL_LOGIN
    failed = run.record("wrong")
    assert failed["status"] == "failed"
    assert failed["result"]["msg"].startswith("Failed to read resource group rg-token-cache-probe: ("), failed
    # It asked for a token of its own, which was refused, and no ARM call went out with a token.
    during = run.during("wrong", azemu.requests(since=mark))
    assert [(r["kind"], r["status"]) for r in during if r["kind"] in ("token", "arm")] == [("token", 401)], during
    # The failure left the right secret's cache as it was, and put nothing of the wrong one in it.
    assert logins(run, azemu, mark, "right again") == {}
    for path in cache_dir(home).iterdir():
        assert wrong not in path.name and wrong not in path.read_text(encoding="utf-8")
    assert wrong not in run.output()


def test_a_stale_cached_metadata_document_is_read_again_when_the_login_fails(run_playbook, azemu, fresh_home):
    env, home = fresh_home
    arm_url = env["AZURE_CLOUD_ENVIRONMENT"]
    cache = LoginCache.for_user(str(home))
    # As if the cloud had changed its audience since the document was cached.
    document = azemu.http("GET", "/metadata/endpoints?api-version=2022-09-01")[2]     # one object (Azure's shape)
    stale = dict(document, authentication=dict(document["authentication"], audiences=["https://stale.azemu.test/"]))
    cache.store_metadata(arm_url, stale)
    mark = azemu.mark()
    run = run_playbook([probe("stale"), probe("healed")], env=env)
    assert run.ok, run.output()
    # The token for the stale audience is refused; the document is read again, the login succeeds
    # (and the group does not exist: 404).
    kinds = [(r["kind"], r["status"]) for r in run.during("stale", azemu.requests(since=mark))]
    assert kinds == [("identity", 200), ("token", 400), ("metadata", 200), ("identity", 200), ("token", 200),
                     ("arm", 404)], kinds
    assert logins(run, azemu, mark, "healed") == {}
    assert "stale" not in json.dumps(cache.metadata(arm_url))


def test_processes_starting_together_share_one_cache(run_playbook, azemu, fresh_home):
    env, home = fresh_home
    tasks = [
        {**probe("together"), "async": 120, "poll": 0, "loop": list(range(6)), "register": "jobs"},
        {"name": "wait", "ansible.builtin.async_status": {"jid": "{{ item.ansible_job_id }}"},
         "loop": "{{ jobs.results }}", "register": "done", "until": "done.finished", "retries": 120, "delay": 0.5,
         # Where each job wrote its result, whatever ~ means to the controller and to the job.
         "vars": {"ansible_async_dir": "{{ item.results_file | dirname }}"}},
        probe("after"),
    ]
    mark = azemu.mark()
    run = run_playbook(tasks, env=env)
    assert run.ok, run.output()
    assert all(r["resource_groups"] == [] for r in run.task("wait")["results"]), run.output()
    tokens = [r for r in azemu.requests(since=mark) if r["kind"] == "token"]
    assert 1 <= len(tokens) <= 6 and all(r["status"] == 200 for r in tokens)
    # Every writer held the lock in turn: the file parses, holds the token, no lock is left.
    (token_file,) = cache_dir(home).glob("*.nocae")
    assert len(json.loads(token_file.read_text(encoding="utf-8"))["AccessToken"]) == 1
    assert sorted(p.suffix for p in cache_dir(home).iterdir()) == [".json", ".nocae"]
    assert logins(run, azemu, mark, "after") == {}


def test_a_lock_file_left_by_a_killed_process_does_not_stop_the_next(run_playbook, azemu, fresh_home):
    env, home = fresh_home
    cache = LoginCache.for_user(str(home))
    name = token_cache_name(azemu.url, env["AZURE_TENANT"], env["AZURE_CLIENT_ID"], env["AZURE_SECRET"])
    lock = cache.token_path(name) + ".lockfile"
    with open(lock, "w", encoding="utf-8") as handle:
        handle.write("12345 killed-module")
    run = run_playbook([probe("after a kill"), probe("next")], env=env)
    assert run.ok, run.output()
    assert not os.path.exists(lock)
    assert os.path.exists(cache.token_path(name))
