// A project's render settings, stored in its settings table so that a project carries how it is
// meant to be rendered (the demo: its trained weights, a portrait size, the plate background, no
// normalisation). Every key is overridden by its command-line option. Paths are relative to the
// project file's directory unless absolute, so a project and its weights can move together.
import Foundation
import Imaging

/// What a render is put on: a plain colour, or the driving video's background plate.
public enum Backdrop: Hashable, Sendable, CustomStringConvertible {
    case colour(RGB)
    case plate

    /// neutral, black, white, RRGGBB (or #RRGGBB) or plate; nil for anything else.
    public init?(text: String) {
        switch text.lowercased() {
        case "plate": self = .plate
        case "neutral": self = .colour(.neutral)
        case "black": self = .colour(.black)
        case "white": self = .colour(.white)
        default:
            let hex = text.hasPrefix("#") ? String(text.dropFirst()) : text
            guard hex.count == 6, let value = UInt32(hex, radix: 16) else { return nil }
            self = .colour(RGB(UInt8(value >> 16), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)))
        }
    }

    public var description: String {
        switch self {
        case .plate: "plate"
        case .colour(.neutral): "neutral"
        case .colour(.black): "black"
        case .colour(.white): "white"
        case let .colour(c): String(format: "%02x%02x%02x", c.r, c.g, c.b)
        }
    }

    /// The colour behind the parts of a crop nothing covers (the plate's composites use neutral
    /// only outside the video frame).
    public var colour: RGB {
        if case let .colour(c) = self { return c }
        return .neutral
    }
}

public struct RenderSettings: Equatable, Sendable {
    public static let sizeKey = "render.size"
    public static let backgroundKey = "render.background"
    public static let normaliseKey = "render.normalise"
    public static let weightsKey = WeightsLocation.settingKey

    /// Crop width and height, when set.
    public var size: (width: Int, height: Int)?
    public var backdrop: Backdrop?
    public var normalise: Bool?
    /// The weights file, resolved against the project's directory.
    public var weights: String?

    public init() {}

    /// Reads the `render.*` settings of the project at `path`.
    /// - Throws: `RenderError` naming the project and the key for a value it cannot use.
    public init(settings: [String: String], project path: String) throws {
        func bad(_ key: String, _ value: String, _ expected: String) -> RenderError {
            RenderError("\(path): the project setting \(key) = \"\(value)\" is not \(expected); change it with `posestudio config`")
        }
        if let text = settings[Self.sizeKey] {
            guard let size = Self.size(text) else { throw bad(Self.sizeKey, text, "a render size (S or HxW, multiples of 8, 64…2048)") }
            self.size = size
        }
        if let text = settings[Self.backgroundKey] {
            guard let backdrop = Backdrop(text: text) else { throw bad(Self.backgroundKey, text, "neutral, black, white, RRGGBB or plate") }
            self.backdrop = backdrop
        }
        if let text = settings[Self.normaliseKey] {
            switch text.lowercased() {
            case "true", "yes", "on", "1": normalise = true
            case "false", "no", "off", "0": normalise = false
            default: throw bad(Self.normaliseKey, text, "true or false")
            }
        }
        if let text = settings[Self.weightsKey] {
            weights = Self.resolve(text, project: path)
        }
    }

    /// The render size: `override` (a command-line option) when given, else `render.size`, else
    /// BDMM's 256 × 256.
    public func size(overriding override: (width: Int, height: Int)?) -> (width: Int, height: Int) {
        override ?? size ?? (256, 256)
    }

    /// Equal sizes and settings.
    public static func == (a: RenderSettings, b: RenderSettings) -> Bool {
        a.size?.width == b.size?.width && a.size?.height == b.size?.height && a.backdrop == b.backdrop
            && a.normalise == b.normalise && a.weights == b.weights
    }

    /// S or HxW (height first), each 64…2048 and a multiple of 8.
    public static func size(_ text: String) -> (width: Int, height: Int)? {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0.map { (64...2048).contains($0) && $0 % 8 == 0 } ?? false }) else { return nil }
        return (parts.count == 2 ? parts[1]! : parts[0]!, parts[0]!)
    }

    /// `path` as given when absolute, otherwise relative to the directory of the project file.
    public static func resolve(_ path: String, project: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        let directory = (URL(fileURLWithPath: project).standardizedFileURL.path as NSString).deletingLastPathComponent
        return URL(fileURLWithPath: (directory as NSString).appendingPathComponent(path)).standardizedFileURL.path
    }
}
