"""Wrong, inside and outside answers for the exercises of solutions/04_adaptive_methods.ipynb."""

_RATIO_NO_ROOT = '''def uncorrected_ratio(t, beta1=0.9, beta2=0.999):
    t = np.asarray(t)
    return (1 - beta1**t) / (1 - beta2**t)
'''
_RATIO_FORBIDDEN = '''def uncorrected_ratio(t, beta1=0.9, beta2=0.999):
    t = np.asarray(t)
    theta = np.zeros(1)
    adam = optim.AdamW([theta], betas=(beta1, beta2))   # Adam's m and v under another name
    out = []
    for _ in range(int(t.max())):
        adam.step([np.ones(1)])
        out.append(adam.state[0]["m"][0] / np.sqrt(adam.state[0]["v"][0]))
    return np.array(out)[t - 1]
'''
_RPROP_STORES_G = '''def rprop_step(theta, g, g_prev, delta, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)):
    agreement = np.sign(g * g_prev)
    factor = np.where(agreement > 0, etas[1], np.where(agreement < 0, etas[0], 1.0))
    delta = np.clip(delta * factor, *step_sizes)
    step = np.where(agreement < 0, 0.0, np.sign(g) * delta)
    return theta - step, g.copy(), delta
'''
_RPROP_FORBIDDEN = '''def rprop_step(theta, g, g_prev, delta, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)):
    theta = np.array(theta, dtype=float)
    opt = optim.Rprop([theta], etas=etas, step_sizes=step_sizes)
    opt.state[0].update(step=0, g_prev=np.array(g_prev, dtype=float), **{"Δ": np.array(delta, dtype=float)})
    opt.step([g])
    return theta, opt.state[0]["g_prev"], opt.state[0]["Δ"]
'''
_NADAM_MU_NOW = '''def nadam_step(theta, g, m, v, P, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, momentum_decay=4e-3):
    beta1, beta2 = betas
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    P = P * mu
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    denominator = np.sqrt(v / (1 - beta2**t)) + eps
    step = (1 - mu) / (1 - P) * g + mu / (1 - P * mu) * m
    return theta - lr * step / denominator, m, v, P
'''
_NADAM_FORBIDDEN = '''def nadam_step(theta, g, m, v, P, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, momentum_decay=4e-3):
    theta = np.array(theta, dtype=float)
    opt = optim.NAdam([theta], lr=lr, betas=betas, eps=eps, momentum_decay=momentum_decay)
    opt.state[0].update(step=t - 1, m=np.array(m, dtype=float), v=np.array(v, dtype=float), mu_product=P)
    opt.step([g])
    return theta, opt.state[0]["m"], opt.state[0]["v"], opt.state[0]["mu_product"]
'''

CASES = {
    "Exercise 1": {"wrong": {"ex1-answer": "predicted_ratio_slow_v, predicted_ratio_slow_m = 0.1, 0.01\n"},
                   "wrong_message": "divides m₁ by √v₁",
                   "inside": {"ex1-answer": "predicted_ratio_slow_v, predicted_ratio_slow_m = 34.0, 0.30\n"},
                   "outside": {"ex1-answer": "predicted_ratio_slow_v, predicted_ratio_slow_m = 35.5, 0.316\n"}},
    "Exercise 2": {"wrong": {"ex2-answer": _RATIO_NO_ROOT}, "wrong_message": "square root of v",
                   "forbidden": {"ex2-answer": _RATIO_FORBIDDEN}},
    "Exercise 3": {"wrong": {"ex3-answer": 'cause = "B"\n\n\ndef fixed_optimizer(params):\n'
                             '    return optim.AdamW(params, lr=alpha, weight_decay=lam)\n'},
                   "wrong_message": "it is uneven"},
    "Exercise 4": {"wrong": {"ex4-answer": _RPROP_STORES_G}, "wrong_message": "0 is stored",
                   "forbidden": {"ex4-answer": _RPROP_FORBIDDEN}},
    "Exercise 5": {"wrong": {"ex5-answer": _NADAM_MU_NOW}, "wrong_message": "look-ahead term",
                   "forbidden": {"ex5-answer": _NADAM_FORBIDDEN}},
    "Exercise 6": {"wrong": {"ex6-answer": 'reading = "B"\n'}, "wrong_message": "against its column"},
    "Exercise 7": {"wrong": {"ex7-answer": "lr = 1e-3\n"}, "wrong_message": "does not reach",
                   "inside": {"ex7-answer": "lr = 0.3\n"},
                   "outside": {"ex7-answer": "lr = 0.2\n"}},
}
