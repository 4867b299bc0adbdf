//! The PNG backend: plotters' `BitMapBackend` with text drawn by us.
//!
//! plotters 0.3.7 places each `ab_glyph` glyph at `(size / 2 + top of its pixel box) as i32` and at
//! a whole-pixel caret, ignoring the glyph's left side bearing. The cast truncates towards zero,
//! so glyphs whose box starts below that line (a '.', a ',', the low stroke of ':') are lifted by up
//! to a pixel while letters are lowered, and small labels read "1·02"; letters also sit unevenly
//! ("thresh old"). Here every glyph is positioned by ab_glyph itself on one baseline with a
//! fractional caret, and the layout box (anchors, label areas) stays plotters' own, so only the
//! ink moves. The SVG backend writes `<text>` and is not affected.

use ab_glyph::{point, Font, FontRef, ScaleFont};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use std::sync::OnceLock;

type Err = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

/// `BitMapBackend` with baseline-aligned text.
pub(crate) struct Raster<'a>(pub BitMapBackend<'a>);

fn face() -> Option<&'static FontRef<'static>> {
    static FACE: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FACE.get_or_init(|| FontRef::try_from_slice(super::FONT).ok())
        .as_ref()
}

impl DrawingBackend for Raster<'_> {
    type ErrorType = Err;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Err>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Err>> {
        self.0.present()
    }
    fn draw_pixel(
        &mut self,
        p: BackendCoord,
        c: BackendColor,
    ) -> Result<(), DrawingErrorKind<Err>> {
        self.0.draw_pixel(p, c)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Err>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Err>> {
        self.0.draw_rect(ul, br, style, fill)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Err>> {
        self.0.blit_bitmap(pos, size, src)
    }

    /// As plotters' default `draw_text` (same layout box and anchors), with each glyph placed
    /// by ab_glyph: caret in fractional pixels, left side bearing kept, one baseline at
    /// `size / 2` below the box top (where plotters puts it).
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Err>> {
        let color = style.color();
        let Some(face) = face() else {
            return Err(DrawingErrorKind::FontError("embedded font".into()));
        };
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let size = style.size() as f32;
        let font = face.as_scaled(size);
        let trans = style.transform();
        let (w, h) = self.get_size();
        let mut caret = 0f32;
        let mut prev = None;
        for ch in text.chars() {
            let id = font.glyph_id(ch);
            if let Some(p) = prev {
                caret += font.kern(p, id);
            }
            prev = Some(id);
            let glyph = id.with_scale_and_position(size, point(caret, size / 2.0));
            caret += font.h_advance(id);
            let Some(outline) = face.outline_glyph(glyph) else {
                continue;
            };
            let b = outline.px_bounds();
            let mut ink = Vec::new();
            outline.draw(|x, y, cov| ink.push((x as i32, y as i32, cov)));
            for (x, y, cov) in ink {
                let gx = x + b.min.x as i32 + dx - min_x;
                let gy = y + b.min.y as i32 + dy - min_y;
                let (tx, ty) = trans.transform(gx, gy);
                let (px, py) = (pos.0 + tx, pos.1 + ty);
                if px >= 0 && px < w as i32 && py >= 0 && py < h as i32 && cov > 0.0 {
                    let a = color.alpha * cov.min(1.0) as f64;
                    self.0.draw_pixel(
                        (px, py),
                        BackendColor {
                            alpha: a,
                            rgb: color.rgb,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }
}
