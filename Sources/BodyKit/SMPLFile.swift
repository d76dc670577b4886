// Reading a user's SMPL model file (HMR `smpl_model.pkl`, `SMPL_NEUTRAL.pkl` / `.npz`) into a
// BodyModel. Needs the pickle / npz readers of TensorEngine (issue 4, branch `weights`), which
// this build does not have yet: loading reports that, naming the file.

public enum SMPLFile {
    public static func load(path: String) throws(BodyModelError) -> BodyModel {
        throw .unreadable(source: path, why: "reading SMPL model files needs the pickle/npz weight readers, which this build of posestudio does not include yet; use --body builtin")
    }
}
