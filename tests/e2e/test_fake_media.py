"""The fake upstream's images and audio endpoints satisfy the official `openai` SDK (before the gateway is
tested against them)."""

from __future__ import annotations

import base64
import io
import wave

import openai
import pytest
from openai import OpenAI

from conftest import silent_wav

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def client(fake) -> OpenAI:
    return OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)




def test_images_b64_json_and_url(client):
    result = client.images.generate(model="dall-e-2", prompt="a red fox", n=2, response_format="b64_json")
    assert len(result.data) == 2
    assert base64.b64decode(result.data[0].b64_json).startswith(PNG_MAGIC)
    result = client.images.generate(model="dall-e-3", prompt="a red fox", response_format="url")
    assert result.data[0].url.startswith("data:image/png;base64,")
    assert result.data[0].revised_prompt == "a red fox"


PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def test_image_edits_take_the_sdk_multipart_form(client, fake):
    result = client.images.edit(model="dall-e-2", image=("fox.png", PNG_1X1, "image/png"), prompt="add a hat",
                                n=2, response_format="b64_json")
    assert len(result.data) == 2 and base64.b64decode(result.data[0].b64_json).startswith(PNG_MAGIC)
    edits = [r for r in fake.requests() if r["path"] == "/v1/images/edits"]
    assert edits and edits[-1]["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    with pytest.raises(openai.BadRequestError):
        client.images.edit(model="status-400", image=("fox.png", PNG_1X1, "image/png"), prompt="x")


def test_image_variations_take_the_sdk_multipart_form(client, fake):
    result = client.images.create_variation(image=("fox.png", PNG_1X1, "image/png"), model="dall-e-2", n=3,
                                            response_format="b64_json", size="256x256")
    assert len(result.data) == 3 and base64.b64decode(result.data[0].b64_json).startswith(PNG_MAGIC)
    variations = [r for r in fake.requests() if r["path"] == "/v1/images/variations"]
    assert variations and variations[-1]["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    with pytest.raises(openai.BadRequestError):
        client.images.create_variation(image=("fox.png", b"", "image/png"), model="dall-e-2")


def test_gpt_image_reports_usage(client):
    result = client.images.generate(model="gpt-image-1", prompt="a red fox", quality="high", size="1024x1536")
    assert base64.b64decode(result.data[0].b64_json).startswith(PNG_MAGIC)
    assert result.usage.input_tokens == 3
    assert result.usage.output_tokens == 1056
    assert result.quality == "high" and result.size == "1024x1536"


@pytest.mark.parametrize("fmt,magic,ctype", [
    ("mp3", b"ID3", "audio/mpeg"), ("wav", b"RIFF", "audio/wav"), ("flac", b"fLaC", "audio/flac"),
    ("opus", b"OggS", "audio/opus"),
])
def test_speech_formats(client, fmt, magic, ctype):
    response = client.audio.speech.create(model="tts-1", voice="alloy", input="Hello there", response_format=fmt)
    data = response.read()
    assert data.startswith(magic)
    assert response.response.headers["content-type"] == ctype


def test_speech_length_grows_with_input(client, tmp_path):
    short = client.audio.speech.create(model="tts-1", voice="alloy", input="Hi", response_format="wav")
    path = tmp_path / "long.wav"
    client.audio.speech.create(model="tts-1", voice="alloy", input="Hi" * 20, response_format="wav").write_to_file(path)
    with wave.open(str(path)) as long_wav, wave.open(io.BytesIO(short.read())) as short_wav:
        assert long_wav.getnframes() == 20 * short_wav.getnframes()


def test_transcriptions_in_every_format(client, tmp_path):
    path = tmp_path / "speech.wav"
    path.write_bytes(silent_wav(1.5))
    size = path.stat().st_size
    with path.open("rb") as file:
        result = client.audio.transcriptions.create(model="whisper-1", file=file)
    assert result.text == f"Transcribed {size} bytes of speech.wav with whisper-1."
    with path.open("rb") as file:
        verbose = client.audio.transcriptions.create(
            model="whisper-1", file=file, response_format="verbose_json", language="fr",
            timestamp_granularities=["segment"])
    assert verbose.duration == pytest.approx(1.5)
    assert verbose.language == "fr"
    for fmt, start in [("text", "Transcribed"), ("srt", "1\n00:00:00,000 --> 00:00:01,500"), ("vtt", "WEBVTT")]:
        with path.open("rb") as file:
            text = client.audio.transcriptions.create(model="whisper-1", file=file, response_format=fmt)
        assert isinstance(text, str) and text.startswith(start), (fmt, text)


def test_streamed_transcripts_parse_with_the_sdk(client):
    stream = client.audio.transcriptions.create(
        model="gpt-4o-transcribe", file=("a.wav", silent_wav(0.5), "audio/wav"), stream=True)
    events = list(stream)
    assert [event.type for event in events[:-1]] == ["transcript.text.delta"] * (len(events) - 1)
    assert events[-1].type == "transcript.text.done"
    assert "".join(event.delta for event in events[:-1]) == events[-1].text
    assert events[-1].text.startswith("Transcribed")
    assert events[-1].usage.output_tokens == len(events) - 1


def test_translations_and_errors(client, fake):
    result = client.audio.translations.create(model="whisper-1", file=("a.wav", silent_wav(0.5), "audio/wav"))
    assert result.text.startswith("Translated")
    [request] = [r for r in fake.requests() if r["path"] == "/v1/audio/translations"]
    assert request["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    import openai
    with pytest.raises(openai.RateLimitError):
        client.audio.transcriptions.create(model="status-429", file=("a.wav", silent_wav(0.1), "audio/wav"))
