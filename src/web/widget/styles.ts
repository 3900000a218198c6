/**
 * Styles inside the widget's shadow root: the host page's CSS cannot reach in, ours cannot leak out.
 * Logical properties only (inset-inline-end, margin-inline-start…), so Arabic mirrors by `dir` alone.
 */
export const css = (color: string) => `
:host { all: initial; }
.root { position: fixed; inset-block-end: 20px; z-index: 2147483000;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans Arabic", "Noto Naskh Arabic", "Noto Sans", Tahoma, sans-serif;
  color: #1f2933; }
.root.end { inset-inline-end: 20px; }
.root.start { inset-inline-start: 20px; }
button, input, textarea { font: inherit; color: inherit; }
.launcher { position: relative; inline-size: 56px; block-size: 56px; border-radius: 50%; border: 0; cursor: pointer;
  background: ${color}; color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; place-items: center; }
.launcher svg { inline-size: 28px; block-size: 28px; }
.badge { position: absolute; inset-block-start: -4px; inset-inline-end: -4px; min-inline-size: 20px; block-size: 20px;
  padding-inline: 5px; border-radius: 10px; background: #d92d20; color: #fff; font-size: 12px; font-weight: 700;
  display: grid; place-items: center; box-sizing: border-box; }
.badge[hidden] { display: none; }
.panel { position: absolute; inset-block-end: 72px; inline-size: min(370px, calc(100vw - 40px));
  block-size: min(540px, calc(100vh - 120px)); background: #fff; border-radius: 14px; overflow: hidden;
  box-shadow: 0 10px 40px rgba(0,0,0,.25); display: flex; flex-direction: column; }
.root.end .panel { inset-inline-end: 0; }
.root.start .panel { inset-inline-start: 0; }
.panel[hidden] { display: none; }
header { background: ${color}; color: #fff; padding-block: 14px; padding-inline: 16px; display: flex;
  align-items: center; justify-content: space-between; gap: 8px; }
header h2 { margin: 0; font-size: 16px; font-weight: 600; }
.close { background: transparent; border: 0; color: #fff; font-size: 22px; cursor: pointer; line-height: 1; }
.list { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f6f7f9; }
.msg { max-inline-size: 80%; padding-block: 8px; padding-inline: 12px; border-radius: 12px; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.msg.agent { align-self: flex-start; background: #fff; border: 1px solid #e4e7eb; }
.msg.visitor { align-self: flex-end; background: ${color}; color: #fff; }
.msg.failed { opacity: .6; }
.msg a { color: inherit; }
.away { font-size: 13px; padding-block: 8px; padding-inline: 12px; background: #fffaeb; color: #7a2e0e;
  border-block-start: 1px solid #fedf89; }
.status { font-size: 12px; color: #b42318; text-align: center; }
form.prechat { padding: 16px; display: flex; flex-direction: column; gap: 10px; }
form.prechat label { display: flex; flex-direction: column; gap: 4px; font-size: 14px; }
form.prechat input { padding: 8px 10px; border: 1px solid #cbd2d9; border-radius: 8px; }
.error { color: #b42318; font-size: 13px; }
.primary { background: ${color}; color: #fff; border: 0; border-radius: 8px; padding-block: 9px; cursor: pointer; }
form.composer { display: flex; gap: 8px; padding: 10px; border-block-start: 1px solid #e4e7eb; background: #fff; }
form.composer textarea { flex: 1; resize: none; border: 1px solid #cbd2d9; border-radius: 8px; padding: 8px 10px;
  block-size: 40px; box-sizing: border-box; }
form.composer button { padding-inline: 14px; }
[hidden] { display: none !important; }
`
