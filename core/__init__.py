"""Scanning core: discovery, decoding, tiling, the detector, the scan engine, the store and reports. No Qt."""
