using System.Globalization;
using System.Text;

namespace MaskContrast.Core.Data;

/// <summary>
/// A 5 × 7 pixel font of our own for text drawn into PNGs (the overlay legend). Skia's dependency-free Linux build finds
/// no system fonts, and a font file may be missing where images are segmented; a bitmap font draws the same everywhere.
/// It covers printable ASCII and '…'. A glyph cell is 5 × 8 pixels (capitals on rows 0–6, descenders on row 7), drawn
/// at an integer scale; glyphs sit <see cref="Advance"/> pixels apart.
/// </summary>
public static class PixelFont
{
    public const int GlyphWidth = 5;
    public const int CellHeight = 8;
    /// <summary>Distance between glyph origins: the glyph and one blank column.</summary>
    public const int Advance = GlyphWidth + 1;
    /// <summary>Drawn for a character the font has not.</summary>
    public const char Fallback = '?';
    public const char Ellipsis = '…';

    // Rows top to bottom, '#' = ink; rows left out at the bottom are blank.
    static readonly Dictionary<char, string> s_rows = new()
    {
        [' '] = "",
        ['!'] = "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..",
        ['"'] = ".#.#. .#.#. .#.#.",
        ['#'] = ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",
        ['$'] = "..#.. .#### #.#.. .###. ..#.# ####. ..#..",
        ['%'] = "##... ##..# ...#. ..#.. .#... #..## ...##",
        ['&'] = ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#",
        ['\''] = "..#.. ..#.. .#...",
        ['('] = "...#. ..#.. .#... .#... .#... ..#.. ...#.",
        [')'] = ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",
        ['*'] = "..... ..#.. #.#.# .###. #.#.# ..#..",
        ['+'] = "..... ..#.. ..#.. ##### ..#.. ..#..",
        [','] = "..... ..... ..... ..... ..... .##.. ..#.. .#...",
        ['-'] = "..... ..... ..... #####",
        ['.'] = "..... ..... ..... ..... ..... .##.. .##..",
        ['/'] = "..... ....# ...#. ..#.. .#... #....",
        ['0'] = ".###. #...# #..## #.#.# ##..# #...# .###.",
        ['1'] = "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
        ['2'] = ".###. #...# ....# ...#. ..#.. .#... #####",
        ['3'] = "##### ...#. ..#.. ...#. ....# #...# .###.",
        ['4'] = "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
        ['5'] = "##### #.... ####. ....# ....# #...# .###.",
        ['6'] = "..##. .#... #.... ####. #...# #...# .###.",
        ['7'] = "##### ....# ...#. ..#.. .#... .#... .#...",
        ['8'] = ".###. #...# #...# .###. #...# #...# .###.",
        ['9'] = ".###. #...# #...# .#### ....# ...#. .##..",
        [':'] = "..... .##.. .##.. ..... .##.. .##..",
        [';'] = "..... .##.. .##.. ..... .##.. ..#.. .#...",
        ['<'] = "...#. ..#.. .#... #.... .#... ..#.. ...#.",
        ['='] = "..... ..... ##### ..... #####",
        ['>'] = ".#... ..#.. ...#. ....# ...#. ..#.. .#...",
        ['?'] = ".###. #...# ....# ...#. ..#.. ..... ..#..",
        ['@'] = ".###. #...# ....# .##.# #.#.# #.#.# .###.",
        ['A'] = ".###. #...# #...# ##### #...# #...# #...#",
        ['B'] = "####. #...# #...# ####. #...# #...# ####.",
        ['C'] = ".###. #...# #.... #.... #.... #...# .###.",
        ['D'] = "####. #...# #...# #...# #...# #...# ####.",
        ['E'] = "##### #.... #.... ####. #.... #.... #####",
        ['F'] = "##### #.... #.... ####. #.... #.... #....",
        ['G'] = ".###. #...# #.... #.### #...# #...# .####",
        ['H'] = "#...# #...# #...# ##### #...# #...# #...#",
        ['I'] = ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
        ['J'] = "..### ...#. ...#. ...#. ...#. #..#. .##..",
        ['K'] = "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
        ['L'] = "#.... #.... #.... #.... #.... #.... #####",
        ['M'] = "#...# ##.## #.#.# #.#.# #...# #...# #...#",
        ['N'] = "#...# #...# ##..# #.#.# #..## #...# #...#",
        ['O'] = ".###. #...# #...# #...# #...# #...# .###.",
        ['P'] = "####. #...# #...# ####. #.... #.... #....",
        ['Q'] = ".###. #...# #...# #...# #.#.# #..#. .##.#",
        ['R'] = "####. #...# #...# ####. #.#.. #..#. #...#",
        ['S'] = ".#### #.... #.... .###. ....# ....# ####.",
        ['T'] = "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
        ['U'] = "#...# #...# #...# #...# #...# #...# .###.",
        ['V'] = "#...# #...# #...# #...# #...# .#.#. ..#..",
        ['W'] = "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
        ['X'] = "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
        ['Y'] = "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
        ['Z'] = "##### ....# ...#. ..#.. .#... #.... #####",
        ['['] = ".###. .#... .#... .#... .#... .#... .###.",
        ['\\'] = "..... #.... .#... ..#.. ...#. ....#",
        [']'] = ".###. ...#. ...#. ...#. ...#. ...#. .###.",
        ['^'] = "..#.. .#.#. #...#",
        ['_'] = "..... ..... ..... ..... ..... ..... #####",
        ['`'] = ".#... ..#.. ...#.",
        ['a'] = "..... ..... .###. ....# .#### #...# .####",
        ['b'] = "#.... #.... #.##. ##..# #...# #...# ####.",
        ['c'] = "..... ..... .###. #.... #.... #...# .###.",
        ['d'] = "....# ....# .##.# #..## #...# #...# .####",
        ['e'] = "..... ..... .###. #...# ##### #.... .###.",
        ['f'] = "..##. .#..# .#... ###.. .#... .#... .#...",
        ['g'] = "..... ..... .#### #...# #...# .#### ....# .###.",
        ['h'] = "#.... #.... #.##. ##..# #...# #...# #...#",
        ['i'] = "..#.. ..... .##.. ..#.. ..#.. ..#.. .###.",
        ['j'] = "...#. ..... ..##. ...#. ...#. ...#. #..#. .##..",
        ['k'] = "#.... #.... #..#. #.#.. ##... #.#.. #..#.",
        ['l'] = ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
        ['m'] = "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#",
        ['n'] = "..... ..... #.##. ##..# #...# #...# #...#",
        ['o'] = "..... ..... .###. #...# #...# #...# .###.",
        ['p'] = "..... ..... ####. #...# #...# ####. #.... #....",
        ['q'] = "..... ..... .#### #...# #...# .#### ....# ....#",
        ['r'] = "..... ..... #.##. ##..# #.... #.... #....",
        ['s'] = "..... ..... .###. #.... .###. ....# ####.",
        ['t'] = ".#... .#... ###.. .#... .#... .#..# ..##.",
        ['u'] = "..... ..... #...# #...# #...# #..## .##.#",
        ['v'] = "..... ..... #...# #...# #...# .#.#. ..#..",
        ['w'] = "..... ..... #...# #...# #.#.# #.#.# .#.#.",
        ['x'] = "..... ..... #...# .#.#. ..#.. .#.#. #...#",
        ['y'] = "..... ..... #...# #...# #...# .#### ....# .###.",
        ['z'] = "..... ..... ##### ...#. ..#.. .#... #####",
        ['{'] = "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#.",
        ['|'] = "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
        ['}'] = ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#...",
        ['~'] = "..... ..... .#... #.#.# ...#.",
        [Ellipsis] = "..... ..... ..... ..... ..... ..... #.#.#",
    };

    // Each glyph as CellHeight row masks, bit 4 = leftmost column.
    static readonly Dictionary<char, byte[]> s_glyphs = s_rows.ToDictionary(g => g.Key, g => Parse(g.Key, g.Value));

    /// <summary>Every character the font draws.</summary>
    public static IReadOnlyCollection<char> Characters => s_glyphs.Keys;

    public static bool Has(char c) => s_glyphs.ContainsKey(c);

    /// <summary>Whether pixel (<paramref name="column"/>, <paramref name="row"/>) of glyph <paramref name="c"/> is ink.</summary>
    public static bool IsInk(char c, int column, int row) => ((s_glyphs[c][row] >> (GlyphWidth - 1 - column)) & 1) != 0;

    /// <summary>
    /// <paramref name="text"/> as characters this font draws, one per character a reader sees (a text element): the
    /// character itself, its letter without accents (é → e), a space for any space, else <see cref="Fallback"/>. User text
    /// of any script therefore draws, and an emoji or a combining sequence takes one place, never two.
    /// </summary>
    public static string Printable(string text)
    {
        var printable = new StringBuilder(text.Length);
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            string element = elements.GetTextElement();
            char first = element[0];
            if (element.Length == 1 && Has(first)) printable.Append(first);
            else if (char.IsWhiteSpace(first)) printable.Append(' ');
            // Surrogates cannot be normalised (a lone one throws) and never decompose to ASCII.
            else if (!element.Any(char.IsSurrogate) && element.Normalize(NormalizationForm.FormD)[0] is var letter && Has(letter))
                printable.Append(letter);
            else printable.Append(Fallback);
        }
        return printable.ToString();
    }

    /// <summary><paramref name="printable"/> cut to at most <paramref name="maxChars"/> characters, the last one '…' when cut.</summary>
    public static string Fit(string printable, int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        return printable.Length <= maxChars ? printable : string.Concat(printable.AsSpan(0, maxChars - 1), Ellipsis.ToString());
    }

    /// <summary>Width in pixels of <paramref name="printable"/> drawn at <paramref name="scale"/> (no trailing blank column).</summary>
    public static int Width(string printable, int scale) => printable.Length == 0 ? 0 : (printable.Length * Advance - 1) * scale;

    /// <summary>
    /// Draws <paramref name="printable"/> (characters of <see cref="Printable"/>) into <paramref name="canvas"/> with its
    /// top-left at (<paramref name="x"/>, <paramref name="y"/>), each font pixel a <paramref name="scale"/>² square of
    /// <paramref name="rgb"/>; ink outside the canvas is dropped.
    /// </summary>
    public static void Draw(RgbImage canvas, int x, int y, string printable, int scale, ReadOnlySpan<byte> rgb)
    {
        for (int i = 0; i < printable.Length; i++)
        {
            char c = Has(printable[i]) ? printable[i] : Fallback;
            for (int row = 0; row < CellHeight; row++)
                for (int column = 0; column < GlyphWidth; column++)
                    if (IsInk(c, column, row))
                        Fill(canvas, x + (i * Advance + column) * scale, y + row * scale, scale, scale, rgb);
        }
    }

    /// <summary>Fills the <paramref name="width"/> × <paramref name="height"/> rectangle at (<paramref name="x"/>,
    /// <paramref name="y"/>) with <paramref name="rgb"/>, clipped to the canvas.</summary>
    public static void Fill(RgbImage canvas, int x, int y, int width, int height, ReadOnlySpan<byte> rgb)
    {
        for (int py = Math.Max(0, y); py < Math.Min(canvas.Height, y + height); py++)
            for (int px = Math.Max(0, x); px < Math.Min(canvas.Width, x + width); px++)
                rgb.CopyTo(canvas.Rgb.AsSpan(3 * (py * canvas.Width + px), 3));
    }

    static byte[] Parse(char c, string rows)
    {
        var lines = rows.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length > CellHeight || lines.Any(l => l.Length != GlyphWidth || l.Any(p => p is not ('#' or '.'))))
            throw new InvalidOperationException($"glyph '{c}' must be up to {CellHeight} rows of {GlyphWidth} '#' or '.'");
        var glyph = new byte[CellHeight];
        for (int row = 0; row < lines.Length; row++)
            for (int column = 0; column < GlyphWidth; column++)
                if (lines[row][column] == '#') glyph[row] |= (byte)(1 << (GlyphWidth - 1 - column));
        return glyph;
    }
}
