"""A bar chart as a PNG, written with zlib and struct only (no plotting library in the project).

Bars are labelled underneath with their short name and above with their value; the glyphs are a
5x7 pixel font covering only what the benchmark writes (digits, a few letters and signs).
"""

import struct
import zlib

GLYPHS = {
    '0': ('01110', '10001', '10011', '10101', '11001', '10001', '01110'),
    '1': ('00100', '01100', '00100', '00100', '00100', '00100', '01110'),
    '2': ('01110', '10001', '00001', '00010', '00100', '01000', '11111'),
    '3': ('11110', '00001', '00001', '01110', '00001', '00001', '11110'),
    '4': ('00010', '00110', '01010', '10010', '11111', '00010', '00010'),
    '5': ('11111', '10000', '11110', '00001', '00001', '10001', '01110'),
    '6': ('00110', '01000', '10000', '11110', '10001', '10001', '01110'),
    '7': ('11111', '00001', '00010', '00100', '01000', '01000', '01000'),
    '8': ('01110', '10001', '10001', '01110', '10001', '10001', '01110'),
    '9': ('01110', '10001', '10001', '01111', '00001', '00010', '01100'),
    '.': ('00000', '00000', '00000', '00000', '00000', '01100', '01100'),
    "'": ('00100', '00100', '01000', '00000', '00000', '00000', '00000'),
    '(': ('00010', '00100', '01000', '01000', '01000', '00100', '00010'),
    ')': ('01000', '00100', '00010', '00010', '00010', '00100', '01000'),
    ' ': ('00000',) * 7,
    'a': ('00000', '00000', '01110', '00001', '01111', '10001', '01111'),
    'b': ('10000', '10000', '10110', '11001', '10001', '10001', '11110'),
    'c': ('00000', '00000', '01110', '10000', '10000', '10001', '01110'),
    'd': ('00001', '00001', '01101', '10011', '10001', '10001', '01111'),
    'e': ('00000', '00000', '01110', '10001', '11111', '10000', '01110'),
    's': ('00000', '00000', '01110', '10000', '01110', '00001', '11110'),
    'N': ('10001', '11001', '10101', '10011', '10001', '10001', '10001'),
    '=': ('00000', '00000', '11111', '00000', '11111', '00000', '00000'),
}
COLOURS = ((70, 110, 180), (110, 160, 220), (200, 90, 60), (60, 160, 90), (90, 180, 120), (150, 150, 150))


class Canvas:
    def __init__(self, width, height, background=(255, 255, 255)):
        self.width, self.height = width, height
        self.pixels = [bytearray(bytes(background) * width) for _row in range(height)]

    def rect(self, x0, y0, x1, y1, colour):
        for y in range(max(0, y0), min(self.height, y1)):
            row = self.pixels[y]
            for x in range(max(0, x0), min(self.width, x1)):
                row[3 * x:3 * x + 3] = bytes(colour)

    def text(self, x, y, text, colour=(0, 0, 0), scale=2):
        for char in text:
            glyph = GLYPHS.get(char, GLYPHS[' '])
            for gy, line in enumerate(glyph):
                for gx, bit in enumerate(line):
                    if bit == '1':
                        self.rect(x + gx * scale, y + gy * scale, x + (gx + 1) * scale, y + (gy + 1) * scale, colour)
            x += 6 * scale

    def png(self):
        raw = b''.join(b'\x00' + bytes(row) for row in self.pixels)

        def chunk(kind, data):
            return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)

        header = struct.pack('>IIBBBBB', self.width, self.height, 8, 2, 0, 0, 0)
        return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')


def text_width(text, scale=2):
    return 6 * scale * len(text)


def bar_chart(path, bars, title=None, width=None, height=320):
    """``bars``: [(label, value)]; label is shown as its part in parentheses, e.g. "(a') debug" -> a'."""
    bar_width, gap, margin = 60, 30, 40
    width = width or margin * 2 + len(bars) * (bar_width + gap)
    canvas = Canvas(width, height)
    top, bottom = 40, height - 40
    peak = max([value for _label, value in bars] + [1e-9])
    canvas.rect(margin - 10, bottom, width - margin + 10, bottom + 2, (0, 0, 0))
    for index, (label, value) in enumerate(bars):
        x = margin + index * (bar_width + gap) + gap // 2
        y = bottom - int((bottom - top) * value / peak)
        canvas.rect(x, y, x + bar_width, bottom, COLOURS[index % len(COLOURS)])
        shown = ('%.1f' % value) if value < 100 else ('%d' % round(value))
        canvas.text(x + (bar_width - text_width(shown)) // 2, y - 20, shown)
        short = label[label.find('(') + 1:label.find(')')] if '(' in label else label
        canvas.text(x + (bar_width - text_width(short)) // 2, bottom + 10, short)
    if title:
        canvas.text(margin, 8, ''.join(c for c in title if c in GLYPHS))
    with open(path, 'wb') as handle:
        handle.write(canvas.png())
    return path
