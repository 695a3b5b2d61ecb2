"""The SDK's name and version, sent to the server as the client name."""

VERSION = "0.1.0"
SDK_NAME = f"signalbox-sdk-python/{VERSION}"
