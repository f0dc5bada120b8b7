"""Model loading plumbing per profile (pretrained CNNs and BERT-family encoders)."""
