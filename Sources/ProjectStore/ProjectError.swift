// Environment and input errors of the project store and the importers. Each names the file and,
// where there is one, the field; the CLI prints `description` and exits 1.
import Foundation
import PoseKit

public enum ProjectError: Error, CustomStringConvertible {
    case notFound(path: String)
    case alreadyExists(path: String)
    case notSQLite(path: String, why: String)
    case otherApplication(path: String, applicationID: Int32)
    case newerSchema(path: String, version: Int, supported: Int)
    case damaged(path: String, why: String)
    case badImage(path: String, why: String)
    case badPoses(path: String, field: String?, why: String)
    case invalidEdit(path: String, EditError)
    case io(path: String, why: String)
    case sqlite(path: String, operation: String, why: String)

    public var description: String {
        switch self {
        case let .notFound(path):
            "\(path): no such file"
        case let .alreadyExists(path):
            "\(path): already exists (posestudio never overwrites a project; choose another name or remove it)"
        case let .notSQLite(path, why):
            "\(path): not a posestudio project: \(why)"
        case let .otherApplication(path, id):
            "\(path): not a posestudio project: it is an SQLite database of another application (application_id \(String(format: "0x%08X", UInt32(bitPattern: id))))"
        case let .newerSchema(path, version, supported):
            "\(path): made by a newer posestudio (project schema \(version); this version reads up to \(supported)). Upgrade posestudio to open it."
        case let .damaged(path, why):
            "\(path): the project file is damaged: \(why). The file was not modified."
        case let .badImage(path, why):
            "\(path): cannot use as source image: \(why)"
        case let .badPoses(path, field, why):
            field.map { "\(path): \($0): \(why)" } ?? "\(path): \(why)"
        case let .invalidEdit(path, error):
            "\(path): edit refused: \(error)"
        case let .io(path, why):
            "\(path): \(why)"
        case let .sqlite(path, operation, why):
            "\(path): \(operation) failed: \(why)"
        }
    }
}
