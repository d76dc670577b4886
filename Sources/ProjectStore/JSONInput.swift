// Reading JSON pose files with messages that name the file and the field
// ("people[0].pose_keypoints_2d[7]: expected a number, found a string").
import Foundation

enum JSONInput {
    static func decode<T: Decodable>(_ type: T.Type, file path: String) throws -> T {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ProjectError.io(path: path, why: "cannot read the file")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            let (field, why) = describe(error)
            throw ProjectError.badPoses(path: path, field: field, why: why)
        } catch let error as ProjectError {
            throw error
        } catch {
            throw ProjectError.badPoses(path: path, field: nil, why: "not valid JSON")
        }
    }

    static func fieldPath(_ path: [any CodingKey]) -> String? {
        guard !path.isEmpty else { return nil }
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text
    }

    private static func describe(_ error: DecodingError) -> (String?, String) {
        switch error {
        case let .typeMismatch(type, context):
            return (fieldPath(context.codingPath), "expected \(typeName(type)), found \(found(context.debugDescription))")
        case let .valueNotFound(type, context):
            return (fieldPath(context.codingPath), "expected \(typeName(type)), found null")
        case let .keyNotFound(key, context):
            return (fieldPath(context.codingPath + [key]), "missing")
        case let .dataCorrupted(context):
            if let underlying = context.underlyingError as NSError?,
               let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String {
                return (fieldPath(context.codingPath), "not valid JSON (\(detail))")
            }
            return (fieldPath(context.codingPath), context.codingPath.isEmpty ? "not valid JSON (\(context.debugDescription))" : context.debugDescription)
        @unknown default:
            return (nil, "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type, is Int.Type: "a number"
        case is String.Type: "a string"
        case is Array<Any>.Type: "a list"
        default:
            String(describing: type).hasPrefix("Array") ? "a list" : String(describing: type).hasPrefix("Dictionary") ? "an object" : "\(type)"
        }
    }

    /// "Expected to decode Double but found a string instead." → "a string"
    private static func found(_ debug: String) -> String {
        if let range = debug.range(of: "but found ") {
            return debug[range.upperBound...].replacingOccurrences(of: " instead.", with: "").trimmingCharacters(in: .punctuationCharacters)
        }
        return "something else"
    }
}

/// A list of numbers, given flat (`[x0, y0, c0, …]`) or as rows (`[[x0, y0, c0], …]`).
struct NumberList: Decodable {
    var values: [Double]
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flat = try? container.decode([Double].self) {
            values = flat
        } else if let rows = try? container.decode([[Double]].self) {
            values = rows.flatMap { $0 }
        } else {
            values = try container.decode([Double].self)   // rethrows the flat form's precise error
        }
    }
}
