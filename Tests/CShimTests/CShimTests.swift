// Each C module links and answers one real call; the real wrappers live in their own targets.
import Testing
import CNcurses
import COpenBLAS
import CFFmpeg
import CChafa

@Suite struct CShimTests {
    @Test func openBLASMultipliesTwoByTwo() {
        // (2×3)·(3×2): [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c = [Float](repeating: 0, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 3, 1, a, 3, b, 2, 0, &c, 2)
        #expect(c == [58, 64, 139, 154])
    }

    @Test func ffmpegFindsAnMP4MuxerAndAVideoEncoder() throws {
        #expect(av_guess_format("mp4", nil, nil) != nil)
        // libx264 is a dependency of Debian's libavcodec59; MPEG-4 Part 2 is built into libavcodec.
        let h264 = avcodec_find_encoder(AV_CODEC_ID_H264)
        let mpeg4 = avcodec_find_encoder(AV_CODEC_ID_MPEG4)
        #expect(h264 != nil || mpeg4 != nil)
        #expect(avcodec_find_decoder(AV_CODEC_ID_H264) != nil)
        #expect(ps_averror_eof() < 0 && ps_averror_eagain() < 0)
    }

    @Test func chafaDrawsAFourByTwoCanvas() throws {
        let config = try #require(chafa_canvas_config_new())
        defer { chafa_canvas_config_unref(config) }
        chafa_canvas_config_set_geometry(config, 4, 2)
        chafa_canvas_config_set_canvas_mode(config, CHAFA_CANVAS_MODE_TRUECOLOR)
        chafa_canvas_config_set_pixel_mode(config, CHAFA_PIXEL_MODE_SYMBOLS)
        let canvas = try #require(chafa_canvas_new(config))
        defer { chafa_canvas_unref(canvas) }
        // 8×8 pixels of pure red, RGB8.
        let pixels = [UInt8]((0..<64).flatMap { _ in [UInt8(255), 0, 0] })
        chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGB8, pixels, 8, 8, 24)
        var fg: Int32 = 0, bg: Int32 = 0
        chafa_canvas_get_colors_at(canvas, 1, 1, &fg, &bg)
        // Whatever symbol chafa picked, the cell's colours are red (0xRRGGBB).
        #expect(fg == 0xFF0000 || bg == 0xFF0000)
        let ansi = try #require(chafa_canvas_print(canvas, nil))
        defer { g_string_free(ansi, 1) }
        #expect(ansi.pointee.len > 0)
    }

    @Test func ncursesReportsItsVersion() throws {
        let version = String(cString: try #require(curses_version()))
        #expect(version.hasPrefix("ncurses 6"))
        #expect(ps_key_f(1) == KEY_F0 + 1)
    }
}
