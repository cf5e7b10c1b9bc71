"""The media service with the official `openai` SDK: images, speech, transcriptions and translations through
the fake upstream (an OpenAI-compatible provider) and through the mock provider of a keyless install; the
billable units land in the request log."""

from __future__ import annotations

import base64
import http.client
import io
import json
import urllib.error
import urllib.request
import wave

import openai
import pytest
from openai import OpenAI

from conftest import gateway_config, silent_wav
from openai_schemas import assert_matches

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

MEDIA_ROUTES = """\
  images: { kind: image, targets: [ { provider: "openai_compatible:fake", model: "dall-e-3" } ] }
  gpt-image: { kind: image, targets: [ { provider: "openai_compatible:fake", model: "gpt-image-1" } ] }
  images-fallback: { kind: image, targets: [ { provider: "openai_compatible:fake", model: "status-503" } ], fallbacks: [ images ] }
  tts: { kind: audio, targets: [ { provider: "openai_compatible:fake", model: "tts-1" } ] }
  stt: { kind: audio, targets: [ { provider: "openai_compatible:fake", model: "whisper-1" } ] }
  stt-bad: { kind: audio, targets: [ { provider: "openai_compatible:fake", model: "status-400" } ] }
"""


@pytest.fixture(scope="module")
def media_gw(module_gateway, fake_upstream):
    return module_gateway(gateway_config(fake_upstream.base_url, extra_routes=MEDIA_ROUTES))


@pytest.fixture(scope="module")
def mock_gw(module_gateway):
    """No routes and no provider keys: the default aliases on the mock provider."""
    return module_gateway("log_format: text\nkeys: { cache_seconds: 0 }\n")


@pytest.fixture(scope="module")
def client(media_gw) -> OpenAI:
    return OpenAI(base_url=media_gw.base_url, api_key=media_gw.create_key("media"), max_retries=0)


@pytest.fixture(scope="module")
def mock_client(mock_gw) -> OpenAI:
    return OpenAI(base_url=mock_gw.base_url, api_key=mock_gw.create_key("media"), max_retries=0)




def posts(fake, path: str) -> list[dict]:
    return [r for r in fake.requests() if r["path"] == path]


# MARK: images


def test_images_pass_through_except_model_and_are_audited(client, media_gw, fake):
    raw = client.images.with_raw_response.generate(
        model="images", prompt="a red fox", n=2, size="1792x1024", quality="hd", style="vivid",
        response_format="b64_json")
    result = raw.parse()
    assert_matches("ImagesResponse", json.loads(raw.text))
    assert len(result.data) == 2
    assert base64.b64decode(result.data[1].b64_json).startswith(PNG_MAGIC)
    [upstream] = posts(fake, "/v1/images/generations")
    assert upstream["body"] == {
        "model": "dall-e-3", "prompt": "a red fox", "n": 2, "size": "1792x1024", "quality": "hd",
        "style": "vivid", "response_format": "b64_json"}
    event = media_gw.show_request(raw.headers["x-request-id"])
    assert (event["image_count"], event["image_size"], event["image_quality"]) == (2, "1792x1024", "hd")
    assert event["alias"] == "images" and event["provider_model"] == "dall-e-3"


def test_gpt_image_usage_and_fallback(client, media_gw):
    raw = client.images.with_raw_response.generate(model="gpt-image", prompt="a red fox", quality="high")
    result = raw.parse()
    assert result.usage.output_tokens == 1056
    event = media_gw.show_request(raw.headers["x-request-id"])
    assert (event["image_count"], event["image_quality"], event["completion_tokens"]) == (1, "high", 1056)
    fallback = client.images.generate(model="images-fallback", prompt="a fox", response_format="url")
    assert fallback.data[0].url.startswith("data:image/png;base64,")


PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def test_image_edits_pass_the_form_through_with_the_model_replaced(client, media_gw, fake):
    raw = client.images.with_raw_response.edit(
        model="images", image=("fox.png", PNG_1X1, "image/png"), prompt="add a hat", n=2, size="512x512",
        response_format="b64_json")
    result = raw.parse()
    assert len(result.data) == 2 and base64.b64decode(result.data[0].b64_json).startswith(PNG_MAGIC)
    [upstream] = posts(fake, "/v1/images/edits")
    raw_body = upstream["raw_body"] or base64.b64decode(upstream["raw_body_base64"]).decode("latin-1")
    assert 'name="model"\r\n\r\ndall-e-3\r\n' in raw_body, "the alias is replaced by the target's model"
    assert 'name="prompt"\r\n\r\nadd a hat\r\n' in raw_body
    assert 'filename="fox.png"' in raw_body
    event = media_gw.show_request(raw.headers["x-request-id"])
    assert (event["image_count"], event["image_size"], event["path"]) == (2, "512x512", "/v1/images/edits")
    with pytest.raises(openai.BadRequestError) as missing:
        client.images.edit(model="images", image=("fox.png", b"", "image/png"), prompt="x")
    assert missing.value.status_code == 400


def test_image_variations_pass_the_form_through_with_the_model_replaced(client, media_gw, fake):
    raw = client.images.with_raw_response.create_variation(
        model="images", image=("fox.png", PNG_1X1, "image/png"), n=2, size="256x256", response_format="b64_json")
    result = raw.parse()
    assert len(result.data) == 2 and base64.b64decode(result.data[0].b64_json).startswith(PNG_MAGIC)
    [upstream] = posts(fake, "/v1/images/variations")
    raw_body = upstream["raw_body"] or base64.b64decode(upstream["raw_body_base64"]).decode("latin-1")
    assert 'name="model"\r\n\r\ndall-e-3\r\n' in raw_body, "the alias is replaced by the target's model"
    assert 'filename="fox.png"' in raw_body and 'name="prompt"' not in raw_body
    event = media_gw.show_request(raw.headers["x-request-id"])
    assert (event["image_count"], event["image_size"], event["path"]) == (2, "256x256", "/v1/images/variations")
    with pytest.raises(openai.BadRequestError) as missing:
        client.images.create_variation(model="images", image=("fox.png", b"", "image/png"))
    assert missing.value.body["param"] == "image"
    with pytest.raises(openai.BadRequestError) as too_many:
        client.images.create_variation(model="images", image=("fox.png", PNG_1X1, "image/png"), n=11)
    assert too_many.value.body["param"] == "n"


def test_mock_image_variations_default_to_dall_e_2(mock_client):
    result = mock_client.images.create_variation(image=("fox.png", PNG_1X1, "image/png"), response_format="b64_json")
    assert base64.b64decode(result.data[0].b64_json).startswith(PNG_MAGIC)


def test_mock_image_edits(mock_client):
    result = mock_client.images.edit(model="dall-e-2", image=("fox.png", PNG_1X1, "image/png"), prompt="a hat",
                                     response_format="b64_json")
    assert base64.b64decode(result.data[0].b64_json).startswith(PNG_MAGIC)


def test_image_alias_kind_and_validation(client):
    with pytest.raises(openai.NotFoundError):
        client.images.generate(model="chat", prompt="a fox")  # a chat alias is not an image model
    with pytest.raises(openai.BadRequestError):
        client.images.generate(model="images", prompt="")


# MARK: speech


def test_speech_streams_the_upstream_audio(client, media_gw, fake, tmp_path):
    path = tmp_path / "out.mp3"
    with client.audio.speech.with_streaming_response.create(
        model="tts", voice="alloy", input="Hello from the gateway", response_format="mp3"
    ) as response:
        assert response.headers["content-type"] == "audio/mpeg"
        assert "content-length" not in response.headers
        response.stream_to_file(path)
        request_id = response.headers["x-request-id"]
    data = path.read_bytes()
    assert data.startswith(b"ID3") and len(data) == 10 + 800 * len("Hello from the gateway")
    [upstream] = posts(fake, "/v1/audio/speech")
    assert upstream["body"]["model"] == "tts-1" and upstream["body"]["voice"] == "alloy"
    event = media_gw.show_request(request_id)
    assert event["speech_characters"] == len("Hello from the gateway")
    assert event["outcome"] == "success"


def test_speech_as_json(client):
    response = client.audio.speech.create(
        model="tts", voice="alloy", input="Hi", response_format="flac", extra_query={"format": "json"})
    body = json.loads(response.read())
    assert body["format"] == "flac"
    assert base64.b64decode(body["audio"]).startswith(b"fLaC")


# MARK: transcriptions and translations


def test_transcription_multipart_passes_through_with_model_replaced(client, media_gw, fake, tmp_path):
    path = tmp_path / "speech.wav"
    path.write_bytes(silent_wav(2.0))
    with path.open("rb") as file:
        raw = client.audio.transcriptions.with_raw_response.create(
            model="stt", file=file, response_format="verbose_json", language="de",
            timestamp_granularities=["segment"], temperature=0.2)
    result = raw.parse()
    assert result.duration == pytest.approx(2.0)
    assert result.text == f"Transcribed {path.stat().st_size} bytes of speech.wav with whisper-1."
    [upstream] = posts(fake, "/v1/audio/transcriptions")
    assert upstream["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    raw_body = base64.b64decode(upstream["raw_body_base64"]) if "raw_body_base64" in upstream else upstream[
        "raw_body"].encode()
    assert b'name="model"\r\n\r\nwhisper-1\r\n' in raw_body
    assert b'name="timestamp_granularities[]"\r\n\r\nsegment\r\n' in raw_body
    assert path.read_bytes() in raw_body
    event = media_gw.show_request(raw.headers["x-request-id"])
    assert event["audio_seconds"] == pytest.approx(2.0)


def test_a_large_upload_goes_upstream_byte_for_byte(client, media_gw, fake, tmp_path):
    # Three minutes of 16 kHz audio (5.8 MB): above the gateway's 1 MiB in-memory threshold, so it is spooled to
    # a temporary file and streamed upstream from there.
    path = tmp_path / "long.wav"
    path.write_bytes(silent_wav(180.0))
    fake.reset()
    with path.open("rb") as file:
        raw = client.audio.transcriptions.with_raw_response.create(
            model="stt", file=file, response_format="verbose_json")
    result = raw.parse()
    assert result.text == f"Transcribed {path.stat().st_size} bytes of long.wav with whisper-1."
    assert result.duration == pytest.approx(180.0)
    [upstream] = posts(fake, "/v1/audio/transcriptions")
    raw_body = base64.b64decode(upstream["raw_body_base64"]) if "raw_body_base64" in upstream else upstream[
        "raw_body"].encode()
    assert path.read_bytes() in raw_body
    assert b'name="model"\r\n\r\nwhisper-1\r\n' in raw_body
    assert media_gw.show_request(raw.headers["x-request-id"])["audio_seconds"] == pytest.approx(180.0)


def test_a_streamed_transcript_is_relayed_event_by_event(client, media_gw):
    with client.audio.transcriptions.with_streaming_response.create(
        model="stt", file=("a.wav", silent_wav(1.0), "audio/wav"), stream=True
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        request_id = response.headers["x-request-id"]
        reads = list(response.http_response.iter_raw())
    text = b"".join(reads).decode()
    events = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    assert [event["type"] for event in events[:-1]] == ["transcript.text.delta"] * (len(events) - 1)
    assert events[-1]["type"] == "transcript.text.done"
    assert "".join(event["delta"] for event in events[:-1]) == events[-1]["text"]
    # The fake sends an event every 30 ms: relayed as they come, they cannot all arrive in one read.
    assert len(reads) >= len(events) // 2, f"{len(reads)} reads for {len(events)} events"
    # The SDK's own stream parser reads the same answer.
    stream = client.audio.transcriptions.create(
        model="stt", file=("a.wav", silent_wav(1.0), "audio/wav"), stream=True)
    assert [event.type for event in stream][-1] == "transcript.text.done"
    event = media_gw.show_request(request_id)
    assert event["stream"] is True
    assert event["outcome"] == "success"
    assert event["audio_seconds"] == pytest.approx(1.0)


@pytest.mark.parametrize("fmt,start", [("text", "Transcribed"), ("srt", "1\n00:00:00,000"), ("vtt", "WEBVTT")])
def test_transcription_text_formats(client, fmt, start):
    text = client.audio.transcriptions.create(
        model="stt", file=("a.wav", silent_wav(0.5), "audio/wav"), response_format=fmt)
    assert isinstance(text, str) and text.startswith(start)


def test_translation_and_upstream_error(client):
    result = client.audio.translations.create(model="stt", file=("a.wav", silent_wav(0.5), "audio/wav"))
    assert result.text.startswith("Translated")
    with pytest.raises(openai.BadRequestError):
        client.audio.transcriptions.create(model="stt-bad", file=("a.wav", silent_wav(0.1), "audio/wav"))


def post_json(gw, key: str, path: str, body: dict | bytes, content_type: str = "application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{gw.root}{path}", data=data, method="POST",
        headers={"content-type": content_type, "authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_json_upload_becomes_multipart(media_gw, fake):
    key = media_gw.create_key("media-json")
    audio = silent_wav(1.0)
    status, headers, body = post_json(media_gw, key, "/v1/audio/transcriptions", {
        "model": "stt", "audio": base64.b64encode(audio).decode(), "filename": "clip.wav",
        "response_format": "verbose_json", "timestamp_granularities": ["word", "segment"]})
    assert status == 200, body
    assert json.loads(body)["duration"] == pytest.approx(1.0)
    [upstream] = posts(fake, "/v1/audio/transcriptions")
    raw_body = base64.b64decode(upstream["raw_body_base64"])
    assert b'filename="clip.wav"' in raw_body and audio in raw_body
    assert raw_body.count(b'name="timestamp_granularities[]"') == 2


def test_upload_errors(media_gw):
    key = media_gw.create_key("media-errors")
    status, _, body = post_json(media_gw, key, "/v1/audio/transcriptions", {"model": "stt"})
    assert status == 400 and json.loads(body)["error"]["param"] == "audio"
    status, _, body = post_json(media_gw, key, "/v1/audio/transcriptions", b"--x--", "multipart/form-data; boundary=x")
    assert status == 400 and json.loads(body)["error"]["param"] == "file"
    # A declared length over the upload limit is refused before the body is read.
    connection = http.client.HTTPConnection(media_gw.base_url.split("//")[1].split("/")[0], timeout=10)
    connection.putrequest("POST", "/v1/audio/transcriptions")
    connection.putheader("authorization", f"Bearer {key}")
    connection.putheader("content-type", "multipart/form-data; boundary=b")
    connection.putheader("content-length", str(27 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "request_too_large"
    connection.close()


# MARK: the mock provider (no keys, default routes)


def test_mock_answers_match_openai_schemas(mock_client):
    images = mock_client.images.with_raw_response.generate(model="dall-e-3", prompt="a fox", response_format="url")
    assert_matches("ImagesResponse", json.loads(images.text))
    gpt = mock_client.images.with_raw_response.generate(model="dall-e-2", prompt="a fox", n=3)
    assert_matches("ImagesResponse", json.loads(gpt.text))
    audio = silent_wav(0.5)
    plain = mock_client.audio.transcriptions.with_raw_response.create(
        model="whisper-1", file=("a.wav", audio, "audio/wav"), response_format="json")
    assert_matches("CreateTranscriptionResponseJson", json.loads(plain.text))
    verbose = mock_client.audio.transcriptions.with_raw_response.create(
        model="whisper-1", file=("a.wav", audio, "audio/wav"), response_format="verbose_json")
    assert_matches("CreateTranscriptionResponseVerboseJson", json.loads(verbose.text))


def test_mock_images(mock_client):
    result = mock_client.images.generate(model="dall-e-3", prompt="a fox", n=3)
    assert len(result.data) == 3
    assert base64.b64decode(result.data[0].url.split(",", 1)[1]).startswith(PNG_MAGIC)
    result = mock_client.images.generate(model="dall-e-2", prompt="a fox", response_format="b64_json")
    assert base64.b64decode(result.data[0].b64_json).startswith(PNG_MAGIC)
    assert result.usage is None


def test_mock_speech_is_a_wav_whose_length_follows_the_input(mock_client):
    short = mock_client.audio.speech.create(model="tts-1", voice="alloy", input="Hi")
    long = mock_client.audio.speech.create(model="tts-1", voice="alloy", input="Hi" * 10)
    assert short.response.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(short.read())) as a, wave.open(io.BytesIO(long.read())) as b:
        assert b.getnframes() == 10 * a.getnframes() > 0


def test_mock_transcription_formats(mock_client, mock_gw):
    audio = silent_wav(1.0)
    raw = mock_client.audio.transcriptions.with_raw_response.create(
        model="whisper-1", file=("a.wav", audio, "audio/wav"), response_format="verbose_json")
    result = raw.parse()
    assert result.text == f"transcribed {len(audio)} bytes of audio/wav"
    assert result.duration == pytest.approx(1.0)
    assert mock_gw.show_request(raw.headers["x-request-id"])["audio_seconds"] == pytest.approx(1.0)
    text = mock_client.audio.transcriptions.create(
        model="whisper-1", file=("a.wav", audio, "audio/wav"), response_format="srt")
    assert text.startswith("1\n00:00:00,000 --> 00:00:01,000\ntranscribed")
    translated = mock_client.audio.translations.create(model="whisper-1", file=("a.wav", audio, "audio/wav"))
    assert translated.text.startswith("translated")
