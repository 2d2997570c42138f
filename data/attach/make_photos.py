#!/usr/bin/env python3
"""Makes the test photos of data/attach/ (see data/README.md): a small JPEG
and PNG (drawn by ImageMagick from a fixed seed) with metadata added by hand,
the kind a phone writes: an EXIF block with a GPS position, an XMP packet and
a comment. Every value is invented; the position is a made-up point.

usage: make_photos.py BASE.jpg BASE.png  (writes gps.jpg, gps.png here)
"""
import struct, sys, zlib

def ifd(entries, next_off, base):
    # entries: (tag, type, count, value_bytes); values > 4 bytes go after the IFD
    n = len(entries)
    data_off = base + 2 + 12 * n + 4
    head = struct.pack('>H', n)
    tail = b''
    for tag, typ, count, val in entries:
        if len(val) <= 4:
            head += struct.pack('>HHI', tag, typ, count) + val.ljust(4, b'\0')
        else:
            head += struct.pack('>HHII', tag, typ, count, data_off + len(tail))
            tail += val
    head += struct.pack('>I', next_off)
    return head + tail

def rat(*pairs):
    return b''.join(struct.pack('>II', a, b) for a, b in pairs)

def exif_tiff():
    # IFD0 at 8: Make, a GPS IFD pointer; GPS IFD after it
    make = b'KITHCAM\0'
    ifd0_len = 2 + 12 * 2 + 4 + len(make)
    gps_off = 8 + ifd0_len
    ifd0 = ifd([(0x010F, 2, len(make), make), (0x8825, 4, 1, struct.pack('>I', gps_off))], 0, 8)
    gps = ifd([
        (0x0000, 1, 4, bytes([2, 3, 0, 0])),
        (0x0001, 2, 2, b'N\0'),
        (0x0002, 5, 3, rat((42, 1), (53, 1), (293117, 10007))),
        (0x0003, 2, 2, b'E\0'),
        (0x0004, 5, 3, rat((129, 1), (30, 1), (264419, 10009))),
    ], 0, gps_off)
    return b'MM\0\x2a' + struct.pack('>I', 8) + ifd0 + gps

XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="42,53.4871N" '
       b'exif:GPSLongitude="129,30.4417E"/></rdf:RDF></x:xmpmeta>')
COMMENT = b'KITH-TEST-LOCATION 42.891452N 129.507361E serial KITHCAM-0042'

def seg(marker, payload):
    return b'\xff' + bytes([marker]) + struct.pack('>H', len(payload) + 2) + payload

def jpeg(src):
    assert src[:2] == b'\xff\xd8'
    extra = (seg(0xE1, b'Exif\0\0' + exif_tiff()) +
             seg(0xE1, b'http://ns.adobe.com/xap/1.0/\0' + XMP) +
             seg(0xFE, COMMENT))
    return src[:2] + extra + src[2:]

def chunk(t, data):
    return struct.pack('>I', len(data)) + t + data + struct.pack('>I', zlib.crc32(t + data) & 0xffffffff)

def png(src):
    assert src[:8] == b'\x89PNG\r\n\x1a\n'
    ihdr_end = 8 + 8 + 13 + 4
    extra = (chunk(b'eXIf', exif_tiff()) + chunk(b'tEXt', b'Comment\0' + COMMENT) +
             chunk(b'iTXt', b'XML:com.adobe.xmp\0\0\0\0\0' + XMP))
    return src[:ihdr_end] + extra + src[ihdr_end:]

if __name__ == '__main__':
    open('gps.jpg', 'wb').write(jpeg(open(sys.argv[1], 'rb').read()))
    open('gps.png', 'wb').write(png(open(sys.argv[2], 'rb').read()))
