// Canvas pictures as cells, prepared off the main thread. The app supplies frame pictures
// (`FramePictures`: the driving video, the draft and neural renders) in the project's frame
// coordinates; this cache crops them to the view box, turns them into chafa cells for the exact
// canvas placement, and keeps the recent ones. The main thread only looks up finished grids, so
// a key press never waits for a decode, a render or chafa.
import Dispatch
import Foundation
import Imaging
import ProjectStore
import TerminalPreview
import TerminalUI

public enum ImageKind: String, Sendable { case driving, draft, neural }

/// Pictures of frames at the project's frame size (pixel (x, y) is keypoint coordinate (x, y)).
/// Called on one background thread at a time.
public protocol FramePictures: AnyObject, Sendable {
    /// The picture, or nil when this kind has none for the frame (no video; not rendered yet).
    func picture(_ kind: ImageKind, frame: Int) throws -> RGBImage?
    /// Why this kind can never show anything here (no weights, no video), or nil.
    func unavailableReason(_ kind: ImageKind) -> String?
    /// The project changed (an edit, undo, redo): renders must follow. Called on the same thread
    /// as `picture`, between pictures.
    func projectChanged(_ project: Project)
}

struct ImageKey: Hashable, Sendable {
    var frame: Int
    var kind: ImageKind
    var placement: CanvasPlacement
}

enum ImageLookup {
    case ready(CellGrid)
    /// Not ready, but a neighbouring frame's picture in the same place is (shown meanwhile).
    case nearby(CellGrid)
    case loading
    /// This kind has no picture for this frame.
    case none
    case unavailable(String)
}

public final class CanvasImageSource: @unchecked Sendable {
    private let pictures: FramePictures
    private let mode: ColorMode
    private let lock = NSLock()
    private var cache: [ImageKey: CellGrid] = [:]
    private var empty: Set<ImageKey> = []
    private var order: [ImageKey] = []
    private var wanted: [ImageKey] = []
    private var working = false
    private var failures: [ImageKey: String] = [:]
    private let queue = DispatchQueue(label: "posestudio.canvas-images", qos: .userInitiated)
    private let capacity = 96
    /// Called (on the worker thread) whenever a picture became ready.
    public var onReady: (@Sendable () -> Void)?

    public init(pictures: FramePictures, mode: ColorMode) {
        self.pictures = pictures
        self.mode = mode
    }

    func lookup(_ key: ImageKey) -> ImageLookup {
        if let why = pictures.unavailableReason(key.kind) { return .unavailable(why) }
        lock.lock()
        defer { lock.unlock() }
        if let cells = cache[key] { return .ready(cells) }
        if empty.contains(key) { return .none }
        if let why = failures[key] { return .unavailable(why) }
        for d in 1...12 {
            for f in [key.frame - d, key.frame + d] {
                if let cells = cache[ImageKey(frame: f, kind: key.kind, placement: key.placement)] { return .nearby(cells) }
            }
        }
        return .loading
    }

    /// Replaces what the worker should prepare next (first = most urgent).
    func request(_ keys: [ImageKey]) {
        lock.lock()
        wanted = keys.filter { cache[$0] == nil && !empty.contains($0) && failures[$0] == nil && pictures.unavailableReason($0.kind) == nil }
        let start = !working && !wanted.isEmpty
        if start { working = true }
        lock.unlock()
        if start { queue.async { self.work() } }
    }

    /// Tells the pictures about a changed project (on the worker, in order with the pictures it
    /// prepares) and forgets the renders made before the change.
    public func projectChanged(_ project: Project) {
        lock.lock()
        working = true
        lock.unlock()
        queue.async {
            self.pictures.projectChanged(project)
            self.invalidate([.draft, .neural])
            self.work()
        }
    }

    /// Forgets pictures of these kinds (an edit changed what the renders show).
    public func invalidate(_ kinds: Set<ImageKind>) {
        lock.lock()
        cache = cache.filter { !kinds.contains($0.key.kind) }
        empty = empty.filter { !kinds.contains($0.kind) }
        failures = failures.filter { !kinds.contains($0.key.kind) }
        order.removeAll { kinds.contains($0.kind) }
        lock.unlock()
    }

    /// Forgets what is known about these frames' pictures of one kind (a render just made them).
    public func forget(_ kind: ImageKind, frames: [Int]) {
        let forgotten = Set(frames)
        lock.lock()
        cache = cache.filter { $0.key.kind != kind || !forgotten.contains($0.key.frame) }
        empty = empty.filter { $0.kind != kind || !forgotten.contains($0.frame) }
        failures = failures.filter { $0.key.kind != kind || !forgotten.contains($0.key.frame) }
        order.removeAll { $0.kind == kind && forgotten.contains($0.frame) }
        lock.unlock()
    }

    /// Blocks until the worker is idle (tests and the benchmark).
    public func settle() {
        while true {
            queue.sync {}
            lock.lock()
            let busy = working || !wanted.isEmpty
            lock.unlock()
            if !busy { return }
        }
    }

    private func work() {
        while true {
            lock.lock()
            guard !wanted.isEmpty else {
                working = false
                lock.unlock()
                return
            }
            let key = wanted.removeFirst()
            lock.unlock()
            var cells: CellGrid?
            var failure: String?
            do {
                if let image = try pictures.picture(key.kind, frame: key.frame) {
                    cells = Self.cells(image, key.placement, mode: mode)
                }
            } catch {
                failure = "\(error)"
            }
            lock.lock()
            if let cells {
                cache[key] = cells
                order.append(key)
                if order.count > capacity { cache[order.removeFirst()] = nil }
            } else if let failure {
                failures[key] = failure
            } else {
                empty.insert(key)
            }
            lock.unlock()
            onReady?()
        }
    }

    /// The view box's part of `image` as cells filling the placement exactly.
    static func cells(_ image: RGBImage, _ placement: CanvasPlacement, mode: ColorMode) -> CellGrid {
        let box = placement.box
        let x = max(0, min(image.width - 1, Int(box.x.rounded())))
        let y = max(0, min(image.height - 1, Int(box.y.rounded())))
        let w = max(1, min(image.width - x, Int(box.width.rounded())))
        let h = max(1, min(image.height - y, Int(box.height.rounded())))
        let crop = image.cropped(x: x, y: y, width: w, height: h)
        return PreviewRenderer.cells(for: crop, columns: placement.rect.width, rows: placement.rect.height, mode: mode, fit: .stretch)
    }
}
