import path from 'node:path'
import { defineConfig } from 'vite'

/**
 * The website chat widget: one self-contained IIFE (no imports, no chunks) that any site loads
 * with a script tag. Served by the server at /widget.js with charset=utf-8 (STACK.md gotcha 21).
 */
export default defineConfig({
  publicDir: false,
  build: {
    outDir: path.resolve(import.meta.dirname, 'dist/widget'),
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    lib: {
      entry: path.resolve(import.meta.dirname, 'src/web/widget/main.ts'),
      formats: ['iife'],
      name: 'TawasulWidget',
      fileName: () => 'widget.js',
    },
  },
})
