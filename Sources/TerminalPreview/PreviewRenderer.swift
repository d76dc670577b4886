// Image → cells through chafa's symbol mode, with 8×8 pixels per cell and cells taken as twice
// as tall as wide. A large image is shrunk to that first (area averaging, faster here than
// chafa's own scaler); chafa enlarges a small one itself. A letterboxed image gets the whole
// cells its aspect ratio needs, centred; the cells around it are the background colour as chafa
// shows it in the mode, so chafa never spends time on the letterbox. The grid has exactly the
// requested size. chafa runs on a fixed number of threads, set once here.
import CChafa
import Foundation
import Imaging
import TerminalUI

public enum PreviewFit: Sendable {
    /// Keep the aspect ratio (to the nearest whole cell); fill the rest with the background colour.
    case letterbox
    /// Fill every cell, distorting the aspect ratio.
    case stretch
}

public enum PreviewRenderer {
    /// chafa's worker threads: at most 2 (the studio shares the cores with encoders and BLAS).
    private static let threads: Void = chafa_set_n_threads(Int32(min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))))

    /// The cells showing `image` in `columns × rows` (both ≥ 1) in `mode`.
    /// - Parameter background: the letterbox colour.
    public static func cells(for image: RGBImage, columns: Int, rows: Int, mode: ColorMode,
                             fit: PreviewFit = .letterbox, background: RGB = .black) -> CellGrid {
        precondition(columns > 0 && rows > 0, "preview needs at least 1x1 cells, got \(columns)x\(rows)")
        let area = fit == .stretch ? Rect(x: 0, y: 0, width: columns, height: rows)
                                   : letterboxed(imageWidth: image.width, imageHeight: image.height, columns: columns, rows: rows)
        // chafa works on 8×8 pixels per cell. It enlarges well and at no extra cost, but shrinks a
        // large image more slowly than `resized` (area averaging), so a large image is shrunk first.
        let w = area.width * 8, h = area.height * 8
        let scaled = image.width > w || image.height > h ? image.resized(width: w, height: h) : image
        let picture = chafaCells(for: scaled, columns: area.width, rows: area.height, mode: mode)
        if area.width == columns && area.height == rows { return picture }
        let fill = chafaCells(for: RGBImage(width: 8, height: 8, fill: background), columns: 1, rows: 1, mode: mode)[0, 0]
        var grid = CellGrid(columns: columns, rows: rows, fill: fill)
        grid.blit(picture, x: area.x, y: area.y)
        return grid
    }

    /// The whole cells, centred in `columns × rows`, that show an image of this size with its
    /// aspect ratio (cells twice as tall as wide); at least 1×1.
    static func letterboxed(imageWidth: Int, imageHeight: Int, columns: Int, rows: Int) -> Rect {
        let place = RGBImage.letterbox(width: imageWidth, height: imageHeight, into: PixelSize(width: columns, height: rows), pixelAspect: 2)
        return Rect(x: place.x, y: place.y, width: place.width, height: place.height)
    }

    /// chafa's cells for the whole image stretched onto `columns × rows`.
    static func chafaCells(for image: RGBImage, columns: Int, rows: Int, mode: ColorMode) -> CellGrid {
        _ = threads
        guard let config = chafa_canvas_config_new() else { fatalError("chafa_canvas_config_new: out of memory") }
        defer { chafa_canvas_config_unref(config) }
        chafa_canvas_config_set_geometry(config, Int32(columns), Int32(rows))
        chafa_canvas_config_set_canvas_mode(config, canvasMode(mode))
        chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SYMBOLS)
        guard let canvas = chafa_canvas_new(config) else { fatalError("chafa_canvas_new: out of memory") }
        defer { chafa_canvas_unref(canvas) }
        image.pixels.withUnsafeBufferPointer {
            chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGB8, $0.baseAddress, Int32(image.width), Int32(image.height), Int32(image.width * 3))
        }
        var grid = CellGrid(columns: columns, rows: rows)
        var fg: Int32 = 0, bg: Int32 = 0
        for y in 0..<rows {
            for x in 0..<columns {
                let code = chafa_canvas_get_char_at(canvas, Int32(x), Int32(y))
                guard code != 0, let scalar = Unicode.Scalar(code) else {
                    grid[x, y] = .continuation
                    continue
                }
                chafa_canvas_get_raw_colors_at(canvas, Int32(x), Int32(y), &fg, &bg)
                grid[x, y] = Cell(Character(scalar), foreground: color(fg, mode), background: color(bg, mode))
            }
        }
        return grid
    }

    static func canvasMode(_ mode: ColorMode) -> ChafaCanvasMode {
        switch mode {
        case .truecolor: CHAFA_CANVAS_MODE_TRUECOLOR
        case .indexed256: CHAFA_CANVAS_MODE_INDEXED_240
        case .indexed16: CHAFA_CANVAS_MODE_INDEXED_16
        case .monochrome: CHAFA_CANVAS_MODE_FGBG
        }
    }

    /// chafa's raw colour (packed 0xRRGGBB in truecolor, a palette index otherwise, negative for
    /// none) as a terminal colour.
    static func color(_ raw: Int32, _ mode: ColorMode) -> TerminalColor {
        guard raw >= 0 else { return .default }
        switch mode {
        case .truecolor: return .rgb(UInt8((raw >> 16) & 0xFF), UInt8((raw >> 8) & 0xFF), UInt8(raw & 0xFF))
        case .indexed256: return raw < 256 ? .indexed256(UInt8(raw)) : .default
        case .indexed16: return raw < 16 ? .ansi16(UInt8(raw)) : .default
        case .monochrome: return .default
        }
    }
}
