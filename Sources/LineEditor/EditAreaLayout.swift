internal import CLibEdit

/// Where libedit has drawn the prompt, the edited line and the cursor, in rows and columns relative to the
/// start of the prompt.
///
/// Printing above the prompt means first going back to where the prompt starts. libedit cannot tell us
/// (the compat layer has no such query), so this repeats the arithmetic of its `re_refresh`: wide characters
/// take `wcwidth` columns and move to the next row if they do not fit, tabs expand to the next multiple of
/// eight, control characters show as `^X`, and a row that is exactly full puts the next position at the
/// start of the following row (libedit forces that wrap on the terminal too).
struct EditAreaLayout: Equatable {
    struct Position: Equatable {
        var row: Int
        var column: Int
    }

    /// Where the terminal cursor is.
    var cursor: Position
    /// Just after the last character of the line.
    var end: Position

    /// - Parameters:
    ///   - prompt: as given to libedit; text between `\u{1}` and `\u{1}`/`\u{2}` (colour codes) takes no room.
    ///   - cursorOffset: in Unicode scalars from the start of `line`.
    init(prompt: String, line: String, cursorOffset: Int, columns: Int) {
        var pen = Pen(columns: max(columns, 1))
        var invisible = false
        for scalar in prompt.unicodeScalars {
            if scalar == "\u{1}" || scalar == "\u{2}" {
                invisible.toggle()
            } else if !invisible {
                pen.put(scalar)
            }
        }
        var cursor = pen.position
        for (offset, scalar) in line.unicodeScalars.enumerated() {
            if offset == cursorOffset {
                cursor = pen.positionBefore(scalar)
            }
            pen.put(scalar)
        }
        if cursorOffset >= line.unicodeScalars.count {
            cursor = pen.position
        }
        self.cursor = cursor
        self.end = pen.position
    }

    /// From the cursor back to the start of the prompt, then clear to the end of the screen: what is printed
    /// next starts where the prompt was, and nothing of a wrapped line is left behind.
    ///
    /// The first row is cleared on its own and the rest from the row below (cursor saved and restored
    /// around it): a plain `ESC[J` at the top-left corner counts as clearing the whole screen, which tmux
    /// (`scroll-on-clear`) answers by pushing the screen into the scrollback, a stray prompt copy each time.
    var eraseSequence: String {
        moveSequence(to: Position(row: 0, column: 0)) + "\u{1B}[K\u{1B}7\u{1B}[B\u{1B}[J\u{1B}8"
    }

    /// From the cursor to just after the last character, so a mark or a newline goes after the whole line.
    var moveToEndSequence: String {
        moveSequence(to: end)
    }

    /// Relative moves only: the absolute row of the prompt is unknown and changes as the screen scrolls.
    func moveSequence(to target: Position) -> String {
        var sequence = "\r"
        if target.row < cursor.row {
            sequence += "\u{1B}[\(cursor.row - target.row)A"
        } else if target.row > cursor.row {
            sequence += "\u{1B}[\(target.row - cursor.row)B"
        }
        if target.column > 0 {
            sequence += "\u{1B}[\(target.column)C"
        }
        return sequence
    }
}

/// Advances a position over the cells libedit draws for each character.
private struct Pen {
    let columns: Int
    var position = EditAreaLayout.Position(row: 0, column: 0)

    mutating func put(_ scalar: Unicode.Scalar) {
        if scalar == "\t" {
            repeat { advance(1) } while position.column % 8 != 0
        } else if scalar == "\n" {
            position = EditAreaLayout.Position(row: position.row + 1, column: 0)
        } else {
            for width in Self.cellWidths(scalar) { advance(width) }
        }
    }

    /// The cursor sits on a character; one too wide for the rest of the row is drawn, and the cursor shown,
    /// at the start of the next row.
    func positionBefore(_ scalar: Unicode.Scalar) -> EditAreaLayout.Position {
        let width = Self.cellWidths(scalar).first ?? 1
        if width > 1 && position.column + width > columns {
            return EditAreaLayout.Position(row: position.row + 1, column: 0)
        }
        return position
    }

    private mutating func advance(_ width: Int) {
        if position.column + width > columns {
            position = EditAreaLayout.Position(row: position.row + 1, column: 0)
        }
        position.column += width
        if position.column >= columns {
            position = EditAreaLayout.Position(row: position.row + 1, column: 0)
        }
    }

    /// The widths of the glyphs libedit draws for one character (`ct_visual_char`).
    private static func cellWidths(_ scalar: Unicode.Scalar) -> [Int] {
        let value = scalar.value
        if value < 0x20 || value == 0x7F {
            return [1, 1]  // ^X
        }
        if value < 0x7F {
            return [1]
        }
        let width = CLibEdit_wcwidth(wchar_t(bitPattern: value))
        if width >= 0 {
            return [Int(width)]
        }
        // Not printable in this locale: libedit spells it out as \U+XXXX.
        let digits = max(4, String(value, radix: 16).count)
        return Array(repeating: 1, count: 3 + digits)
    }
}
