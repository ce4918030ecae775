"""``client.download``: streamed through a temporary file and renamed, the key only for the API's
own host, a dropped connection retried, progress reported. Served by a MockTransport (a few MB)."""

from __future__ import annotations

import os

import httpx
import pytest

pytestmark = pytest.mark.anyio

SIZE = 3 * 1024 * 1024 + 123
PAYLOAD = bytes(range(256)) * (SIZE // 256) + b"x" * (SIZE % 256)
STORAGE = "https://storage.example.com/videos/clip%201.mp4?X-Signature=abc"


def _body(h, data, fail_after=None):
    """A streamed body of the harness's flavour, cut with a ReadError after ``fail_after`` bytes."""
    chunks = [data[start : start + 256 * 1024] for start in range(0, len(data), 256 * 1024)]

    def pieces():
        sent = 0
        for chunk in chunks:
            if fail_after is not None and sent >= fail_after:
                raise httpx.ReadError("connection dropped")
            sent += len(chunk)
            yield chunk

    if h.flavour == "sync":
        return pieces()

    async def async_pieces():
        for chunk in pieces():
            yield chunk

    return async_pieces()


def _leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".part"))


async def test_download_streams_to_the_destination_with_progress(h, tmp_path):
    route = h.router.get(STORAGE).mock(
        side_effect=lambda request: httpx.Response(
            200, headers={"Content-Length": str(SIZE)}, content=_body(h, PAYLOAD)
        )
    )
    progress = []
    target = tmp_path / "video.mp4"

    written = await h.call(
        h.client().download, STORAGE, target, on_progress=lambda done, total: progress.append((done, total))
    )

    assert written == target
    assert target.read_bytes() == PAYLOAD
    assert _leftovers(tmp_path) == []
    assert progress[-1] == (SIZE, SIZE)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert len(progress) > 10
    request = route.calls.last.request
    assert "authorization" not in request.headers
    assert str(request.url) == STORAGE  # the presigned URL is sent byte for byte


async def test_download_into_a_folder_uses_the_urls_file_name(h, tmp_path):
    h.router.get(STORAGE).respond(200, content=b"video")

    written = await h.call(h.client().download, STORAGE, tmp_path)

    assert written == tmp_path / "clip 1.mp4"
    assert written.read_bytes() == b"video"


async def test_the_api_key_goes_only_to_the_apis_own_host(h, tmp_path):
    own = h.router.get(h.url("/files/v.mp4")).respond(200, content=b"own")
    other = h.router.get("https://api.sinancode.com.evil.example/v1/files/v.mp4").respond(200, content=b"x")
    client = h.client(default_headers={"X-Team": "a"})

    await h.call(client.download, h.url("/files/v.mp4"), tmp_path / "a.mp4")
    await h.call(client.download, "https://api.sinancode.com.evil.example/v1/files/v.mp4", tmp_path / "b.mp4")

    assert own.calls.last.request.headers["Authorization"] == f"Bearer {h.api_key}"
    assert own.calls.last.request.headers["X-Team"] == "a"
    assert "authorization" not in other.calls.last.request.headers
    assert "x-team" not in other.calls.last.request.headers


async def test_a_redirect_of_a_storage_url_is_followed_without_the_key(h, tmp_path):
    h.router.get(STORAGE).respond(302, headers={"Location": "https://cdn.example.com/v.mp4"})
    cdn = h.router.get("https://cdn.example.com/v.mp4").respond(200, content=b"moved")

    written = await h.call(h.client().download, STORAGE, tmp_path / "v.mp4")

    assert written.read_bytes() == b"moved"
    assert "authorization" not in cdn.calls.last.request.headers


async def test_a_dropped_connection_is_retried_from_the_start(h, tmp_path):
    attempts = []

    def serve(request):
        attempts.append(request)
        fail_after = SIZE // 3 if len(attempts) == 1 else None  # the first answer is cut a third in
        return httpx.Response(
            200, headers={"Content-Length": str(SIZE)}, content=_body(h, PAYLOAD, fail_after)
        )

    h.router.get(STORAGE).mock(side_effect=serve)
    target = tmp_path / "video.mp4"

    await h.call(h.client(max_retries=2).download, STORAGE, target)

    assert len(attempts) == 2
    assert len(h.clock.sleeps) == 1
    assert target.read_bytes() == PAYLOAD
    assert _leftovers(tmp_path) == []


async def test_a_download_that_keeps_failing_leaves_nothing_behind(h, tmp_path):
    h.router.get(STORAGE).mock(
        side_effect=lambda request: httpx.Response(200, content=_body(h, PAYLOAD, fail_after=1024))
    )
    target = tmp_path / "video.mp4"
    target.write_bytes(b"previous")

    with pytest.raises(h.pkg.DownloadError) as info:
        await h.call(h.client(max_retries=1).download, STORAGE, target)

    assert target.read_bytes() == b"previous"
    assert _leftovers(tmp_path) == []
    assert "X-Signature" not in str(info.value)  # a presigned URL's query is a credential
    assert info.value.url == STORAGE


async def test_an_expired_url_raises_the_status_error_and_writes_nothing(h, tmp_path):
    route = h.router.get(STORAGE).respond(403, text="Request has expired")

    with pytest.raises(h.pkg.PermissionDeniedError) as info:
        await h.call(h.client().download, STORAGE, tmp_path / "v.mp4")

    assert info.value.message == "Request has expired"
    assert route.call_count == 1
    assert os.listdir(tmp_path) == []


async def test_a_5xx_on_download_is_retried(h, tmp_path):
    route = h.router.get(STORAGE)
    route.side_effect = [httpx.Response(503), httpx.Response(200, content=b"ok")]

    await h.call(h.client().download, STORAGE, tmp_path / "v.mp4")

    assert route.call_count == 2
    assert (tmp_path / "v.mp4").read_bytes() == b"ok"


async def test_a_folder_that_does_not_exist_yet_is_created(h, tmp_path):
    h.router.get(STORAGE).respond(200, content=b"video")

    written = await h.call(h.client().download, STORAGE, f"{tmp_path}/videos/")

    assert written == tmp_path / "videos" / "clip 1.mp4"
    assert written.read_bytes() == b"video"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/a/..%2F..%2Fescape.mp4", "escape.mp4"),
        ("/a/..%5C..%5Cescape.mp4", "escape.mp4"),
        ("/a/..", "download"),
    ],
)
async def test_a_file_name_from_the_url_never_leaves_the_folder(h, tmp_path, path, name):
    url = "https://storage.example.com" + path
    h.router.get(url).respond(200, content=b"v")
    folder = tmp_path / "in"
    folder.mkdir()

    written = await h.call(h.client().download, url, folder)

    assert written == folder / name
    assert sorted(os.listdir(tmp_path)) == ["in"]
