// Reading a project row's columns as what the schema means, with a thrown error instead of GRDB's
// trap when a file someone edited holds another storage class (text in `project.fps`), a NULL where
// the schema says NOT NULL, or a value out of range: "the project file is damaged: TABLE.COLUMN …".
// SQLite's CHECK constraints do not catch these (CHECK (fps > 0) passes the text 'abc').
import Foundation
import GRDB

struct TypedRow {
    let row: Row
    let table: String
    let columns: [String]
    let path: String

    /// `row`, whose columns are `columns` of `table` in order (as the SELECT names them).
    init(_ row: Row, table: String, columns: [String], path: String) {
        precondition(row.count == columns.count, "TypedRow: \(row.count) values for columns \(columns)")
        self.row = row
        self.table = table
        self.columns = columns
        self.path = path
    }

    func damaged(_ index: Int, _ why: String) -> ProjectError {
        .damaged(path: path, why: "\(table).\(columns[index]) \(why)")
    }

    private func value(_ index: Int) -> DatabaseValue { row[index] }

    private static func storageName(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: "NULL"
        case .int64: "an INTEGER"
        case .double: "a REAL"
        case .string: "TEXT"
        case .blob: "a BLOB"
        }
    }

    /// An INTEGER within `range`.
    func integer(_ index: Int, in range: ClosedRange<Int64> = Int64(Int.min)...Int64(Int.max)) throws -> Int {
        guard let value = try optionalInteger(index, in: range) else { throw damaged(index, "is NULL, expected an INTEGER") }
        return value
    }

    /// An INTEGER within `range`, or nil for NULL.
    func optionalInteger(_ index: Int, in range: ClosedRange<Int64> = Int64(Int.min)...Int64(Int.max)) throws -> Int? {
        let v = value(index)
        switch v.storage {
        case .null: return nil
        case let .int64(n):
            guard range.contains(n) else { throw damaged(index, "holds \(n), outside \(range.lowerBound)…\(range.upperBound)") }
            return Int(n)
        default: throw damaged(index, "holds \(Self.storageName(v)), expected an INTEGER")
        }
    }

    /// A finite REAL (an INTEGER is taken as its value) within `range`.
    func real(_ index: Int, in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws -> Double {
        let v = value(index)
        let number: Double
        switch v.storage {
        case let .double(d): number = d
        case let .int64(n): number = Double(n)
        default: throw damaged(index, "holds \(Self.storageName(v)), expected a REAL")
        }
        guard number.isFinite, range.contains(number) else { throw damaged(index, "holds \(number), outside \(range.lowerBound)…\(range.upperBound)") }
        return number
    }

    /// TEXT.
    func text(_ index: Int) throws -> String {
        guard let text = try optionalText(index) else { throw damaged(index, "is NULL, expected TEXT") }
        return text
    }

    /// TEXT, or nil for NULL.
    func optionalText(_ index: Int) throws -> String? {
        let v = value(index)
        switch v.storage {
        case .null: return nil
        case let .string(s): return s
        default: throw damaged(index, "holds \(Self.storageName(v)), expected TEXT")
        }
    }

    /// A BLOB.
    func blob(_ index: Int) throws -> Data {
        guard let data = try optionalBlob(index) else { throw damaged(index, "is NULL, expected a BLOB") }
        return data
    }

    /// A BLOB, or nil for NULL.
    func optionalBlob(_ index: Int) throws -> Data? {
        let v = value(index)
        switch v.storage {
        case .null: return nil
        case let .blob(data): return data
        default: throw damaged(index, "holds \(Self.storageName(v)), expected a BLOB")
        }
    }

    /// The one row of `sql` (a SELECT of exactly `columns` from `table`), or nil.
    static func fetchOne(_ db: Database, _ sql: String, table: String, columns: [String], path: String,
                         arguments: StatementArguments = StatementArguments()) throws -> TypedRow? {
        try Row.fetchOne(db, sql: sql, arguments: arguments).map { TypedRow($0, table: table, columns: columns, path: path) }
    }

    /// `SELECT columns FROM table [suffix]`, typed.
    static func select(_ db: Database, _ columns: [String], from table: String, _ suffix: String = "", path: String,
                       arguments: StatementArguments = StatementArguments()) throws -> [TypedRow] {
        let sql = "SELECT \(columns.joined(separator: ", ")) FROM \(table) \(suffix)"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { TypedRow($0, table: table, columns: columns, path: path) }
    }
}
