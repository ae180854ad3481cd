"""PyTorch reference for avlab's benchmark workloads: the same networks, shapes, batch sizes and
optimiser, timed per training epoch (median of the timed epochs after one warm-up epoch).
Prints one JSON line. Usage: python3 reference_torch.py <workload> [timed_epochs] [cpu|cuda]"""
import json, resource, statistics, sys, time
import torch
from torch import nn

SHAPES = {
    "mlp": {"samples": 4096, "batch": 64, "dim": 512, "classes": 10},
    "lstm": {"samples": 1024, "batch": 128, "frames": 16, "dim": 512, "classes": 10},
    "conv": {"samples": 512, "batch": 32, "height": 64, "width": 64, "channels": 4, "classes": 10},
    "avts": {"samples": 256, "batch": 16, "frames": 10, "size": 32, "specFrames": 40, "bands": 32, "mics": 4, "embed": 32},
}


class Block(nn.Module):
    """A ResNet BasicBlock: two 3x3 convolutions with batch norm, a 1x1 projection when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.main = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                                  nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.short = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                      if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x):
        return torch.relu(self.main(x) + self.short(x))


class ResNet(nn.Module):
    """avlab's matching ResNet: strided stem, one BasicBlock per stage (16, 32, 64), global average pooling."""

    def __init__(self, channels, classes, widths=(16, 32, 64)):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(channels, widths[0], 3, 2, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU())
        blocks, cin = [], widths[0]
        for i, w in enumerate(widths):
            blocks.append(Block(cin, w, 2 if i > 0 else 1))
            cin = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(widths[-1], classes)

    def forward(self, x):
        return self.fc(self.blocks(self.stem(x)).mean((2, 3)))


def embedding(in_dim, hidden=512, out=128, p=0.2):
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(p), nn.Linear(hidden, out))


class Early(nn.Module):
    """avlab's `early` scene model: concatenated features, embedding block, two-layer head."""

    def __init__(self, dim, classes):
        super().__init__()
        self.embed = embedding(2 * dim)
        self.head = nn.Sequential(nn.Linear(128, 128), nn.Linear(128, classes))

    def forward(self, a, v):
        return self.head(self.embed(torch.cat([a, v], 1)))


class Attention(nn.Module):
    """avlab's `attention` model: per-modality projection and LSTM encoder, the encoders' outputs
    concatenated along time, additive attention queried by both final states, one LSTM decoder
    step, dropout and a linear classifier."""

    def __init__(self, dim, classes, proj=128, units=128):
        super().__init__()
        self.pa, self.pv = nn.Linear(dim, proj), nn.Linear(dim, proj)
        self.la, self.lv = nn.LSTM(proj, units, batch_first=True), nn.LSTM(proj, units, batch_first=True)
        self.W = nn.Linear(units, units, bias=False)
        self.U = nn.Linear(2 * units, units, bias=False)
        self.v = nn.Linear(units, 1, bias=False)
        self.decoder = nn.LSTMCell(units, 2 * units)
        self.drop = nn.Dropout(0.2)
        self.out = nn.Linear(2 * units, classes)

    def forward(self, a, v):
        sa, (ha, ca) = self.la(self.pa(a))
        sv, (hv, cv) = self.lv(self.pv(v))
        seq = torch.cat([sa, sv], 1)
        h, c = torch.cat([ha[0], hv[0]], 1), torch.cat([ca[0], cv[0]], 1)
        alpha = torch.softmax(self.v(torch.tanh(self.W(seq) + self.U(h).unsqueeze(1))).squeeze(-1), 1)
        context = (alpha.unsqueeze(-1) * seq).sum(1)
        h2, _ = self.decoder(context, (h, c))
        return self.out(self.drop(h2))


class AvtsPair(nn.Module):
    """avlab's AVTS encoders. Video (MC): Conv3d 3x3x3 stride (1,2,2) -> BN -> ReLU, Conv3d 3x3x3 stride
    (2,2,2) -> BN -> ReLU, then a per-frame 2-D block (Conv3d 1x3x3 stride (1,2,2)) -> BN -> ReLU, global
    average pooling, Linear(embed). Audio: three Conv2d 3x3 stride 2 -> BN -> ReLU blocks, pooling,
    Linear(embed). TF 'same' padding: 1 on every side except the strided temporal axis (0 front, 1 back)."""

    def __init__(self, embed, vw=(8, 16, 32), aw=(16, 32, 32), mics=4):
        super().__init__()
        def block3(cin, cout, k, stride, pad):
            return nn.Sequential(nn.ConstantPad3d(pad, 0.0), nn.Conv3d(cin, cout, k, stride, bias=False), nn.BatchNorm3d(cout), nn.ReLU())
        # ConstantPad3d order: (w_left, w_right, h_top, h_bottom, d_front, d_back); TF 'same' with stride 2
        # on an even size pads 0 in front and 1 behind.
        self.video = nn.Sequential(
            block3(3, vw[0], (3, 3, 3), (1, 2, 2), (0, 1, 0, 1, 1, 1)),
            block3(vw[0], vw[1], (3, 3, 3), (2, 2, 2), (0, 1, 0, 1, 0, 1)),
            block3(vw[1], vw[2], (1, 3, 3), (1, 2, 2), (0, 1, 0, 1, 0, 0)),
        )
        self.video_fc = nn.Linear(vw[2], embed)
        layers, cin = [], mics
        for w in aw:
            layers += [nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(cin, w, 3, 2, bias=False), nn.BatchNorm2d(w), nn.ReLU()]
            cin = w
        self.audio = nn.Sequential(*layers)
        self.audio_fc = nn.Linear(cin, embed)

    def forward(self, v, a):
        fv = self.video_fc(self.video(v).mean((2, 3, 4)))
        fa = self.audio_fc(self.audio(a).mean((2, 3)))
        return fv, fa


def avts_loss(out, y, margin=1.0):
    """AVTS's contrastive loss: mean of y*D^2 + (1-y)*max(margin - D, 0)^2, D = ||f_v - f_a||."""
    fv, fa = out
    d = torch.sqrt(((fv - fa) ** 2).sum(1) + 1e-9)
    y = y.float()
    return (y * d ** 2 + (1 - y) * torch.relu(margin - d) ** 2).mean()


def workload(name):
    s = SHAPES[name]
    g = torch.Generator().manual_seed(0)
    if name == "mlp":
        model = Early(s["dim"], s["classes"])
        inputs = [torch.randn(s["samples"], s["dim"], generator=g) for _ in range(2)]
    elif name == "conv":
        model = ResNet(s["channels"], s["classes"])
        inputs = [torch.randn(s["samples"], s["channels"], s["height"], s["width"], generator=g)]
    elif name == "avts":
        model = AvtsPair(s["embed"])
        inputs = [torch.randn(s["samples"], 3, s["frames"], s["size"], s["size"], generator=g),
                  torch.randn(s["samples"], s["mics"], s["specFrames"], s["bands"], generator=g)]
        labels = torch.randint(0, 2, (s["samples"],), generator=g)
        return model, inputs, labels, s
    elif name == "lstm":
        model = Attention(s["dim"], s["classes"])
        inputs = [torch.randn(s["samples"], s["frames"], s["dim"], generator=g) for _ in range(2)]
    labels = torch.randint(0, s["classes"], (s["samples"],), generator=g)
    return model, inputs, labels, s


def epoch(model, opt, inputs, labels, batch, g):
    model.train()
    order = torch.randperm(labels.shape[0], generator=g).to(labels.device)
    loss_fn = avts_loss if isinstance(model, AvtsPair) else nn.CrossEntropyLoss()
    total = torch.zeros((), device=labels.device)
    for start in range(0, labels.shape[0], batch):
        idx = order[start:start + batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(*[x[idx] for x in inputs]), labels[idx])
        loss.backward()
        opt.step()
        total += loss.detach() * idx.shape[0]
    return float(total) / labels.shape[0]


def main():
    name = sys.argv[1]
    timed = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    device = sys.argv[3] if len(sys.argv) > 3 else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        sys.exit("reference_torch.py: CUDA is not available here")
    model, inputs, labels, s = workload(name)
    model, inputs, labels = model.to(device), [x.to(device) for x in inputs], labels.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-4)
    g = torch.Generator().manual_seed(1)
    epoch(model, opt, inputs, labels, s["batch"], g)
    times = []
    for _ in range(timed):
        t0 = time.perf_counter()
        epoch(model, opt, inputs, labels, s["batch"], g)
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    where = f"cuda ({torch.cuda.get_device_name()})" if device == "cuda" else f"cpu, {torch.get_num_threads()} threads"
    steps = (labels.shape[0] + s["batch"] - 1) // s["batch"]
    median = statistics.median(times)
    print(json.dumps({"workload": name, "backend": f"pytorch {torch.__version__} {where}", "epochs": times, "median": median,
                      "stepMs": round(median / steps * 1000, 2), "peakRssMB": round(peak)}))


if __name__ == "__main__":
    main()
