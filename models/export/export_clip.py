#!/usr/bin/env python3
"""Export an open_clip image tower (the old tool's CLIP ViT-L/14 by default) to ONNX as a new
Image Scorer pack: the encoder ONNX file and a pack.toml with CLIP's preprocessing.

Needs internet access once (the weights download from the model hub) and:
  pip install torch open_clip_torch onnx

  python export_clip.py packs/clip-vit-l14                       # ViT-L-14, OpenAI weights
  python export_clip.py packs/clip-vit-l14-laion --pretrained laion2b_s32b_b82k

Then add a score head with export_head.py (--pack packs/clip-vit-l14) and copy the folder into
the app's packs folder (shown in the app's Model packs panel, Ctrl+M).

The ONNX model takes `pixel_values` f32 [N, 3, size, size] (RGB, CLIP mean/std) and gives
`image_embeds` f32 [N, width], not normalised: the pack says normalize = true, as CLIP heads
expect L2-normalised embeddings. The LAION aesthetic heads were trained on ViT-L/14 (OpenAI)
embeddings, 768 wide.
"""

import argparse
import sys
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pack", type=Path, help="the pack folder to create")
    parser.add_argument("--model", default="ViT-L-14", help="open_clip model name (default ViT-L-14)")
    parser.add_argument("--pretrained", default="openai", help="open_clip pretrained tag (default openai)")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()

    try:
        import open_clip
        import torch
    except ImportError:
        sys.exit("export_clip: needs PyTorch and open_clip: pip install torch open_clip_torch onnx")

    model, _, _ = open_clip.create_model_and_transforms(args.model, pretrained=args.pretrained)
    model.eval()
    visual = model.visual
    size = visual.image_size[0] if isinstance(visual.image_size, (tuple, list)) else visual.image_size
    mean = list(getattr(visual, "image_mean", None) or open_clip.OPENAI_DATASET_MEAN)
    std = list(getattr(visual, "image_std", None) or open_clip.OPENAI_DATASET_STD)

    class ImageTower(torch.nn.Module):
        def __init__(self, clip):
            super().__init__()
            self.clip = clip

        def forward(self, pixel_values):
            return self.clip.encode_image(pixel_values)

    tower = ImageTower(model).eval()
    example = torch.zeros(1, 3, size, size)
    with torch.no_grad():
        width = int(tower(example).shape[-1])
    args.pack.mkdir(parents=True, exist_ok=True)
    file_name = f"{args.model.lower()}-{args.pretrained}-image.onnx"
    out = args.pack / file_name
    with torch.no_grad():
        torch.onnx.export(
            tower,
            example,
            str(out),
            input_names=["pixel_values"],
            output_names=["image_embeds"],
            dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}},
            opset_version=args.opset,
        )
    fmt = lambda values: "[" + ", ".join(f"{v:.8g}" for v in values) + "]"
    (args.pack / "pack.toml").write_text(
        f'name = "CLIP {args.model} ({args.pretrained})"\n\n'
        "[encoder]\n"
        f'file = "{file_name}"\n'
        'input = "pixel_values"\n'
        'output = "image_embeds"\n'
        'layout = "nchw"\n'
        f"size = {size}\n"
        'channels = "rgb"\n'
        f"mean = {fmt(mean)}\n"
        f"std = {fmt(std)}\n"
        f"width = {width}\n"
        "normalize = true\n"
    )
    print(f"wrote {out} ({width}-wide embeddings, {size} px input) and {args.pack / 'pack.toml'}")


if __name__ == "__main__":
    main()
